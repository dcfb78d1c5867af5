// The floor under the hub benchmark: the same tabs and the same fan-out
// rhythm as the hub at 1,000 events/s, without the hub. A do-nothing
// SharedWorker (tests/e2e/pages/bench-ping-worker.js) stamps `rate` events
// per second and posts them to every tab in one message per `windowMs` (the
// hub's fan-out window); each tab dispatches one MessageEvent per event and
// records the delay (tests/e2e/pages/bench-ping.js). No network, no server
// stream, no parser: if this misses the goal, the hub cannot meet it on the
// same machine.
//
//   node tests/bench/hub-bench-ping.mjs [--rate 1000] [--seconds 5] [--tabs 1,10,50] [--window-ms 4]
//     [--chromium-args '...'] [--renice 1]   (see hub-bench.mjs)
//
// Latency: worker clock when the event was due -> tab's handler, each
// corrected by its offset from Date.now() (as in hub-bench.mjs).
import { cpus } from 'node:os';
import { launchBrowser } from '../e2e/lib/browser.mjs';
import { startServer } from '../e2e/lib/server.mjs';
import { stageSite } from '../e2e/lib/site.mjs';
import { sleep, waitFor } from '../e2e/lib/wait.mjs';
import { CpuSampler, formatCpu, keepNormalPriority } from './hub-bench-cpu.mjs';

const WARMUP_S = 1;

function parseArgs(argv) {
  const opts = { rate: 1000, seconds: 5, tabs: [1, 10, 50], windowMs: 4, args: [], renice: false };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--rate') opts.rate = Number(value);
    else if (flag === '--seconds') opts.seconds = Number(value);
    else if (flag === '--tabs') opts.tabs = value.split(',').map(Number);
    else if (flag === '--window-ms') opts.windowMs = Number(value);
    else if (flag === '--chromium-args') opts.args = value.split(' ').filter(Boolean);
    else if (flag === '--renice') opts.renice = value === '1';
    else throw new Error(`unknown option ${flag}`);
  }
  return opts;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

async function run(origin, tabs, opts) {
  const browser = await launchBrowser({ args: opts.args });
  const priority = opts.renice ? keepNormalPriority(browser) : null;
  try {
    const pages = [];
    for (let i = 0; i < tabs; i++) {
      const page = await browser.newTab(`${origin}/pages/bench-ping.html`);
      await page.waitForFunction(() => window.benchPing, null, { timeout: 10_000 });
      await page.evaluate(() => window.benchPing.connect('/pages/bench-ping-worker.js'));
      pages.push(page);
    }
    const offsets = [];
    for (const page of pages) offsets.push(await page.evaluate(() => window.benchPing.clockBias()));
    const seconds = WARMUP_S + opts.seconds;
    const total = Math.round(opts.rate * seconds);
    const first = Math.round(opts.rate * WARMUP_S);
    // CPU from the first event until every tab has handled the last one.
    const cpu = new CpuSampler(browser);
    cpu.begin();
    await pages[0].evaluate((go) => window.benchPing.go({ go }), { rate: opts.rate, seconds, windowMs: opts.windowMs });
    await sleep(seconds * 1000);
    await waitFor(() => Promise.all(pages.map((p) => p.evaluate(() => window.benchPing.received()))),
      (counts) => counts.every((n) => n >= total), { timeoutMs: 60_000, intervalMs: 200, what: 'every event in every tab' }).catch(() => {});
    const used = cpu.end();
    const latencies = [];
    let received = 0;
    for (const [k, page] of pages.entries()) {
      const pairs = await page.evaluate(() => window.benchPing.takeLatencies());
      for (let j = 0; j < pairs.length; j += 2) {
        if (pairs[j] >= first) {
          latencies.push(pairs[j + 1] - offsets[k]);
          received++;
        }
      }
    }
    latencies.sort((a, b) => a - b);
    return { tabs, total, expected: (total - first) * tabs, received, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1), cpu: used };
  } finally {
    priority?.stop();
    await browser.close();
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const site = stageSite();
  const server = await startServer({ staticDir: site.dir });
  try {
    console.log(`hub-bench-ping: ${opts.rate} events/s for ${opts.seconds} s, one message per tab per ${opts.windowMs} ms, ` +
      `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}${opts.args.length ? `, chromium ${opts.args.join(' ')}` : ''}${opts.renice ? ', renderers reniced to 0' : ''}`);
    console.log('tabs  undelivered  p50 ms  p99 ms  max ms');
    for (const tabs of opts.tabs) {
      const r = await run(server.origin, tabs, opts);
      console.log(`${String(tabs).padEnd(4)}  ${String(r.expected - r.received).padStart(11)}  ${r.p50.toFixed(1).padStart(6)}  ${r.p99.toFixed(1).padStart(6)}  ${r.max.toFixed(1).padStart(6)}`);
      console.log(`      ${formatCpu(r.cpu, r.total * tabs)}`);
    }
  } finally {
    await server.stop();
    site.remove();
  }
}

main().catch((err) => {
  console.error(`hub-bench-ping: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
