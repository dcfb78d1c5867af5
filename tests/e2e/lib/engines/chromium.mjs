// Chromium through playwright-core (lib/browser.mjs, which the older tests
// use directly): its pages already speak the EnginePage interface.
import { launchBrowser } from '../browser.mjs';

export async function launchChromium() {
  const browser = await launchBrowser();
  return {
    name: 'chromium',
    async newPage() {
      const page = await browser.context.newPage();
      const console = [];
      page.on('console', (msg) => console.push(`${msg.type()}: ${msg.text()}`));
      page.on('pageerror', (err) => console.push(`pageerror: ${err.message}`));
      page.console = console;
      return page;
    },
    goto: (page, url, timeoutMs) => page.goto(url, { timeout: timeoutMs, waitUntil: 'load' }).then(() => {}),
    close: () => browser.close(),
  };
}
