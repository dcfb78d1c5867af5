// One switch picks the browser engine of the engine-neutral tests
// (tests/e2e/engines/): SSEMUX_E2E_ENGINE=chromium (default) | firefox |
// webkit. Each engine module only launches, opens pages, navigates and
// closes; everything else (waiting, evaluating, artifacts) is shared here
// and in page.mjs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactDirFor } from '../browser.mjs';
import { withTimeout } from '../wait.mjs';
import { launchChromium } from './chromium.mjs';
import { launchFirefox } from './firefox.mjs';
import { launchWebKit } from './webkit.mjs';

const ENGINES = { chromium: launchChromium, firefox: launchFirefox, webkit: launchWebKit };

export function engineName() {
  const name = process.env.SSEMUX_E2E_ENGINE || 'chromium';
  if (!(name in ENGINES)) throw new Error(`SSEMUX_E2E_ENGINE must be one of ${Object.keys(ENGINES).join(', ')}, got "${name}"`);
  return name;
}

/** A browser of the chosen engine with TestBrowser's interface (newTab, closeTab, saveArtifacts, close). */
export class EngineBrowser {
  constructor(engine) {
    this.engine = engine;
    this.name = engine.name;
    this.tabs = [];
  }

  async newTab(url, { timeoutMs = 20_000 } = {}) {
    const page = await withTimeout(this.engine.newPage(), timeoutMs, `${this.name}: open a tab`);
    this.tabs.push(page);
    await withTimeout(this.engine.goto(page, url, timeoutMs), timeoutMs + 1000, `${this.name}: load ${url}`);
    return page;
  }

  async closeTab(page, { timeoutMs = 10_000 } = {}) {
    await withTimeout(page.close(), timeoutMs, `${this.name}: close a tab`);
  }

  async saveArtifacts(testName) {
    const dir = artifactDirFor(testName);
    for (const [i, page] of this.tabs.entries()) {
      writeFileSync(join(dir, `tab-${i + 1}.console.txt`), `${(page.console ?? []).join('\n')}\n`);
      if (page.isClosed()) continue;
      try {
        await withTimeout(page.screenshot({ path: join(dir, `tab-${i + 1}.png`), timeout: 5000 }), 6000, 'screenshot');
      } catch (err) {
        writeFileSync(join(dir, `tab-${i + 1}.screenshot-error.txt`), `${err.message}\n`);
      }
    }
    if (this.engine.log) writeFileSync(join(dir, `${this.name}-driver.log`), this.engine.log());
    return dir;
  }

  close() {
    return this.engine.close();
  }
}

export async function launchEngine(name = engineName()) {
  return new EngineBrowser(await ENGINES[name]());
}

// Runs fn(browser) in the chosen engine for node:test context t; on failure
// saves artifacts and names their folder in the error; always closes.
export async function withEngine(t, fn, name = engineName()) {
  const browser = await launchEngine(name);
  try {
    return await fn(browser);
  } catch (err) {
    const dir = await browser.saveArtifacts(t.name).catch((e) => `(could not save artifacts: ${e.message})`);
    err.message += `\n(${browser.name}: screenshots and console logs: ${dir})`;
    throw err;
  } finally {
    await browser.close();
  }
}
