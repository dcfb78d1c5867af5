// The one page interface every engine gives the tests (a subset of
// Playwright's Page, so tests/e2e/lib/tabs.mjs works unchanged): an engine
// only supplies run(source, arg), which evaluates a function's source with
// one JSON argument in the page and resolves with its JSON result.
import { waitFor } from '../wait.mjs';

export class EnginePage {
  constructor({ run, close, screenshot = null }) {
    this.run = run;
    this.closeImpl = close;
    this.screenshotImpl = screenshot;
    this.closed = false;
    this.console = []; // engines that can capture it append here
  }

  /** fn(arg) in the page (fn may be async); resolves with its JSON result. */
  evaluate(fn, arg = null) {
    return this.run(typeof fn === 'function' ? fn.toString() : `() => (${fn})`, arg);
  }

  /** Polls fn(arg) until it returns a truthy value; resolves with that value. */
  waitForFunction(fn, arg = null, { timeout = 10_000, polling = 50 } = {}) {
    return waitFor(() => this.evaluate(fn, arg), Boolean, { timeoutMs: timeout, intervalMs: polling, what: `page function ${fn.toString().slice(0, 80)}` });
  }

  isClosed() {
    return this.closed;
  }

  async screenshot({ path }) {
    if (this.screenshotImpl === null) throw new Error('this engine takes no screenshots');
    return this.screenshotImpl(path);
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await this.closeImpl();
  }
}
