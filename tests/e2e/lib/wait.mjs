// Bounded waiting: every wait in the e2e tests ends, and when it ends badly
// it says what it waited for and what it saw last.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Resolves with promise's value, or rejects after ms with "<what> timed out".
export async function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Polls probe() until accept(value) is true; returns that value. On timeout
// the error names what was expected and the last value probed.
export async function waitFor(probe, accept, { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  let lastError;
  for (;;) {
    try {
      last = await probe();
      lastError = undefined;
      if (accept(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const seen = lastError ? `error ${lastError.message}` : JSON.stringify(last);
      throw new Error(`expected ${what} within ${timeoutMs} ms, got ${truncate(seen)}`);
    }
    await sleep(intervalMs);
  }
}

function truncate(text, max = 600) {
  return text && text.length > max ? `${text.slice(0, max)}... (${text.length} chars)` : text;
}
