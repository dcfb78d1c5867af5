// Headless Debian Chromium driven by playwright-core (`npx playwright install`
// cannot download browsers here). Every launch gets a fresh profile, every
// step has a deadline, and a failing test leaves a screenshot and the console
// log of each tab in build/e2e-artifacts/<test name>/.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { artifactsDir, chromiumPath } from './paths.mjs';
import { withTimeout } from './wait.mjs';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const profiles = new Set();
// Last resort if a test dies past its cleanup: no Chromium outlives the run.
process.on('exit', () => {
  for (const dir of profiles) killProfileProcesses(dir);
});

// Chromium's processes all carry --user-data-dir=<our fresh dir> on their
// command line, so this finds exactly the ones this launch started.
function profilePids(dir) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`--user-data-dir=${dir}`)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function killProfileProcesses(dir) {
  for (const pid of profilePids(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const artifactPath = (testName) => join(artifactsDir, testName.replace(/[^A-Za-z0-9_.-]+/g, '_'));

// build/e2e-artifacts/<test name>/, created.
export function artifactDirFor(testName) {
  const dir = artifactPath(testName);
  mkdirSync(dir, { recursive: true });
  return dir;
}

// A test that passes now must not leave the evidence of an older failure.
export function clearArtifacts(testName) {
  rmSync(artifactPath(testName), { recursive: true, force: true });
}

export class TestBrowser {
  constructor(context, userDataDir) {
    this.context = context;
    this.userDataDir = userDataDir;
    this.tabs = [];
  }

  // A new tab at url, its console captured for the failure report.
  async newTab(url, { timeoutMs = 15_000 } = {}) {
    const page = await withTimeout(this.context.newPage(), timeoutMs, 'open a tab');
    const tab = { page, index: this.tabs.length + 1, console: [] };
    page.on('console', (msg) => tab.console.push(`${msg.type()}: ${msg.text()}`));
    page.on('pageerror', (err) => tab.console.push(`pageerror: ${err.message}`));
    this.tabs.push(tab);
    await page.goto(url, { timeout: timeoutMs, waitUntil: 'load' });
    return page;
  }

  // Closes a tab the way a user does (pagehide fires).
  async closeTab(page, { timeoutMs = 10_000 } = {}) {
    await withTimeout(page.close({ runBeforeUnload: false }), timeoutMs, 'close a tab');
  }

  async saveArtifacts(testName) {
    const dir = artifactDirFor(testName);
    for (const tab of this.tabs) {
      writeFileSync(join(dir, `tab-${tab.index}.console.txt`), tab.console.join('\n') + '\n');
      if (tab.page.isClosed()) continue;
      try {
        await tab.page.screenshot({ path: join(dir, `tab-${tab.index}.png`), timeout: 5000 });
      } catch (err) {
        writeFileSync(join(dir, `tab-${tab.index}.screenshot-error.txt`), `${err.message}\n`);
      }
    }
    return dir;
  }

  async close({ timeoutMs = 10_000 } = {}) {
    try {
      await withTimeout(this.context.close(), timeoutMs, 'close Chromium');
    } catch {
      // hung: fall through to killing its processes
    }
    killProfileProcesses(this.userDataDir);
    profiles.delete(this.userDataDir);
    rmSync(this.userDataDir, { recursive: true, force: true });
  }

  // Processes of this launch still alive (for tests of cleanup).
  pids() {
    return profilePids(this.userDataDir);
  }
}

// args: extra Chromium switches; ignoreDefaultArgs: Playwright defaults to
// leave out (e.g. '--disable-back-forward-cache' for bfcache tests).
export async function launchBrowser({ timeoutMs = 30_000, args = [], ignoreDefaultArgs } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'ssemux-e2e-chromium-'));
  profiles.add(userDataDir);
  try {
    const context = await withTimeout(
      chromium.launchPersistentContext(userDataDir, { executablePath: chromiumPath, headless: true, args: [...CHROMIUM_ARGS, ...args], ignoreDefaultArgs, timeout: timeoutMs }),
      timeoutMs + 1000,
      `launch ${chromiumPath}`,
    );
    return new TestBrowser(context, userDataDir);
  } catch (err) {
    killProfileProcesses(userDataDir);
    profiles.delete(userDataDir);
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
}

// Runs fn(browser) for node:test context t (launchOptions: see launchBrowser); on failure saves artifacts and
// names their folder in the error; always closes Chromium.
export async function withBrowser(t, fn, launchOptions = {}) {
  const browser = await launchBrowser(launchOptions);
  try {
    return await fn(browser);
  } catch (err) {
    const dir = await browser.saveArtifacts(t.name).catch((e) => `(could not save artifacts: ${e.message})`);
    err.message += `\n(screenshots and console logs: ${dir})`;
    throw err;
  } finally {
    await browser.close();
  }
}
