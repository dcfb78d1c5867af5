// The wasm core for a hub (the SharedWorker's or a fallback's), loaded within
// a deadline: a hub that cannot start must say so, never leave its tabs
// waiting in CONNECTING (a stalled fetch of the wasm would).
import { loadCore } from './ssemux-core.js';

export const CORE_LOAD_TIMEOUT_MS = 30000;

/** Resolves with loadCore(wasmSource); rejects with "wasm core failed to load: <why>". */
export async function loadHubCore(wasmSource, timeoutMs = CORE_LOAD_TIMEOUT_MS) {
  let timer = null;
  const deadline = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`not loaded within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([wasmSource === undefined ? loadCore() : loadCore(wasmSource), deadline]);
  } catch (error) {
    throw new Error(`wasm core failed to load: ${error && error.message ? error.message : error}`);
  } finally {
    clearTimeout(timer);
  }
}
