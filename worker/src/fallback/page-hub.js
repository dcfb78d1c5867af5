// A hub running in this page (the fallbacks): the same Hub class and wasm
// core as the SharedWorker, created once per page.
import { loadHubCore } from '../load-hub-core.js';
import { Hub } from '../hub/hub.js';

/**
 * Creates a hub. hubOptions may carry `core` (an already loaded core),
 * `wasmUrl`, and any Hub option (graceMs, recentLimit, fetch, clock, ...).
 */
export async function createPageHub(hubOptions = {}) {
  const core = hubOptions.core ?? await loadHubCore(hubOptions.wasmUrl);
  const locks = hubOptions.locks !== undefined ? hubOptions.locks : globalThis.navigator?.locks ?? null;
  return new Hub({ ...hubOptions, core, locks });
}
