// WebKitGTK: Debian's WebKitWebDriver starts MiniBrowser --automation; it
// needs an X display, so it runs under xvfb-run. Plain WebDriver over HTTP
// (W3C classic): one session, one window per page; commands go to the
// current window, so each page's commands switch to it first, one at a time.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { freePort } from '../server.mjs';
import { sleep, withTimeout } from '../wait.mjs';
import { EnginePage } from './page.mjs';

const DRIVER = process.env.SSEMUX_E2E_WEBKIT_DRIVER || 'WebKitWebDriver';
const MINIBROWSER = process.env.SSEMUX_E2E_MINIBROWSER || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const SCRIPT_TIMEOUT_MS = 60_000;

class WebDriverSession {
  constructor(base) {
    this.base = base;
    this.id = null;
    this.queue = Promise.resolve(); // one command at a time (the current window is shared state)
    this.current = null;
  }

  async command(method, path, body) {
    const url = `${this.base}${this.id === null ? '' : `/session/${this.id}`}${path}`;
    const response = await fetch(url, { method, headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(SCRIPT_TIMEOUT_MS + 5000) });
    const reply = await response.json();
    if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${reply.value?.error}: ${reply.value?.message}`);
    return reply.value;
  }

  // Runs fn() after every command queued before it.
  serial(fn) {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  inWindow(handle, fn) {
    return this.serial(async () => {
      if (this.current !== handle) {
        await this.command('POST', '/window', { handle });
        this.current = handle;
      }
      return fn();
    });
  }
}

// The async-script wrapper: the page function's result or its error, as JSON.
const wrap = (source) => `const done = arguments[arguments.length - 1];
Promise.resolve().then(() => (${source})(arguments[0])).then(
  (value) => done({ ok: value === undefined ? null : value }),
  (error) => done({ error: String(error && error.stack ? error.message + '\\n' + error.stack : error) }));`;

export async function launchWebKit({ timeoutMs = 60_000 } = {}) {
  const port = await freePort();
  // Its own process group: closing kills xvfb-run, Xvfb, the driver and MiniBrowser together.
  const child = spawn('xvfb-run', ['-a', DRIVER, `--port=${port}`], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const kill = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.on('exit', kill);
  const session = new WebDriverSession(`http://127.0.0.1:${port}`);
  try {
    await withTimeout((async () => {
      for (;;) {
        try {
          if ((await session.command('GET', '/status')).ready) break;
        } catch {
          // not listening yet
        }
        await sleep(100);
      }
      const created = await session.command('POST', '/session', { capabilities: { alwaysMatch: {
        browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } } } });
      session.id = created.sessionId;
      await session.command('POST', '/timeouts', { script: SCRIPT_TIMEOUT_MS, pageLoad: timeoutMs });
    })(), timeoutMs, `start ${DRIVER} under xvfb-run (log: ${log})`);
  } catch (err) {
    kill();
    throw err;
  }
  let unused = (await session.command('GET', '/window/handles'))[0]; // the first window, blank
  const handles = new Map();
  return {
    name: 'webkit',
    log: () => log,
    async newPage() {
      let handle = unused;
      unused = null;
      if (handle === null) handle = (await session.serial(() => session.command('POST', '/window/new', { type: 'window' }))).handle;
      const page = new EnginePage({
        run: (source, arg) => session.inWindow(handle, async () => {
          const result = await session.command('POST', '/execute/async', { script: wrap(source), args: [arg] });
          if (result && 'error' in result) throw new Error(`in the page: ${result.error}`);
          return result?.ok;
        }),
        close: () => session.inWindow(handle, async () => {
          await session.command('DELETE', '/window');
          session.current = null;
        }),
        screenshot: (path) => session.inWindow(handle, async () => {
          writeFileSync(path, Buffer.from(await session.command('GET', '/screenshot'), 'base64'));
        }),
      });
      handles.set(page, handle);
      return page;
    },
    goto: (page, url) => session.inWindow(handles.get(page), () => session.command('POST', '/url', { url })),
    async close() {
      try {
        await withTimeout(session.command('DELETE', ''), 10_000, 'end the WebDriver session');
      } catch {
        // hung or gone: the kill below ends it
      }
      process.off('exit', kill);
      kill();
    },
  };
}
