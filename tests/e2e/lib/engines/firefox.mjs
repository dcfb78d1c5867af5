// Debian's Firefox ESR through puppeteer-core over WebDriver BiDi: no
// geckodriver, no browser download. A fresh profile per launch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { withTimeout } from '../wait.mjs';
import { EnginePage } from './page.mjs';

const FIREFOX = process.env.SSEMUX_E2E_FIREFOX || '/usr/bin/firefox-esr';
// Loopback servers only; no updates, telemetry or first-run pages.
const PREFS = {
  'network.proxy.allow_hijacking_localhost': true,
  'app.update.auto': false,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
};

export async function launchFirefox({ timeoutMs = 60_000 } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'ssemux-e2e-firefox-'));
  let browser;
  try {
    browser = await withTimeout(puppeteer.launch({
      browser: 'firefox', executablePath: FIREFOX, headless: true, userDataDir: profile,
      extraPrefsFirefox: PREFS, timeout: timeoutMs, protocolTimeout: timeoutMs,
    }), timeoutMs + 1000, `launch ${FIREFOX}`);
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  const pages = new Map();
  return {
    name: 'firefox',
    async newPage() {
      const page = await browser.newPage();
      const wrapped = new EnginePage({
        run: (source, arg) => page.evaluate(`(${source})(${JSON.stringify(arg)})`),
        close: () => page.close(),
        screenshot: (path) => page.screenshot({ path }),
      });
      page.on('console', (msg) => wrapped.console.push(`${msg.type()}: ${msg.text()}`));
      page.on('pageerror', (err) => wrapped.console.push(`pageerror: ${err.message}`));
      pages.set(wrapped, page);
      return wrapped;
    },
    goto: (wrapped, url, ms) => pages.get(wrapped).goto(url, { timeout: ms, waitUntil: 'load' }).then(() => {}),
    async close() {
      try {
        await withTimeout(browser.close(), 15_000, 'close Firefox');
      } catch {
        browser.process()?.kill('SIGKILL');
      }
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
