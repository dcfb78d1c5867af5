// Hub benchmark (issue 3): in headless Chromium, publish-to-tab latency
// (p50/p99) and events/s delivered with 1, 10 and 50 tabs, every tab using a
// SharedEventSource (one upstream through the SharedWorker hub), side by side
// with the same tabs each using a native EventSource (only 6 can connect over
// HTTP/1.1; the rest stall, see tests/e2e/native_eventsource_tab7_stalls).
//
//   node tests/bench/hub-bench.mjs [--rate 1000] [--seconds 5] [--tabs 1,10,50]
//     [--clients hub,native] [--hub-query fanoutWindowMs=8] [--chromium-args '--flag ...']
//     [--page bench|client] [--renice 1]
//
// Also prints each run's CPU use per Chromium process kind (hub-bench-cpu.mjs);
// hub-bench-ping.mjs measures the same fan-out without the hub.
//
// Server: as in tests/e2e (SSEMUX_E2E_SERVER=c|node, default the C server). Latency = the tab's clock at delivery minus the publisher's
// clock just before its POST /publish, corrected by each tab's measured clock
// offset; so it includes the POST, the server, the upstream, the hub and the
// postMessage to the tab. Prints figures and ratios; asserts nothing on time.
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { launchBrowser } from '../e2e/lib/browser.mjs';
import { LeanPublisher } from './hub-bench-publisher.mjs';
import { CpuSampler, formatCpu, keepNormalPriority } from './hub-bench-cpu.mjs';
import { chooseServerKind, startServer } from '../e2e/lib/server.mjs';
import { hubMissingReason, stageSite } from '../e2e/lib/site.mjs';
import { isOpened, openNative, openShared, snapshot } from '../e2e/lib/tabs.mjs';
import { sleep, waitFor } from '../e2e/lib/wait.mjs';

const TOPIC = 'bench';
const STREAM = `/events?topic=${TOPIC}`;
const NATIVE_LIMIT = 6; // Chromium's HTTP/1.1 sockets per origin
const WARMUP_MS = 1000;
const DRAIN_MS = 1000;
const MAX_IN_FLIGHT = 16;
const GOAL = { tabs: 50, p99Ms: 20 };

function parseArgs(argv) {
  const opts = { rate: 1000, seconds: 5, tabs: [1, 10, 50], clients: ['hub', 'native'], hubQuery: '', args: [], page: 'bench', renice: false };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--rate') opts.rate = Number(value);
    else if (flag === '--seconds') opts.seconds = Number(value);
    else if (flag === '--tabs') opts.tabs = value.split(',').map(Number);
    else if (flag === '--clients') opts.clients = value.split(',');
    else if (flag === '--hub-query') opts.hubQuery = value;
    else if (flag === '--chromium-args') opts.args = value.split(' ').filter(Boolean);
    else if (flag === '--renice') opts.renice = value === '1';
    else if (flag === '--page') opts.page = value;
    else throw new Error(`unknown option ${flag}; usage: hub-bench.mjs [--rate N] [--seconds S] [--tabs 1,10,50] [--clients hub,native] [--hub-query Q] [--chromium-args A] [--page bench|client] [--renice 1]`);
  }
  if (!(opts.rate > 0 && opts.seconds > 0 && opts.tabs.every((n) => n > 0))) throw new Error('rate, seconds and tabs must be positive');
  if (!(opts.page in PAGES)) throw new Error(`--page must be one of ${Object.keys(PAGES).join(', ')}`);
  return opts;
}

const now = () => performance.timeOrigin + performance.now();

// pages/client.html shows a status block that each tab repaints up to ten
// times a second: at 50 tabs that is 500 repaints/s of app cost on the same
// two cores. bench-client.html runs the same client.js with it hidden.
const PAGES = { bench: '/pages/bench-client.html', client: '/pages/client.html' };

async function openTabs(browser, origin, n, page) {
  const pages = [];
  for (let i = 0; i < n; i++) {
    const tab = await browser.newTab(`${origin}${PAGES[page]}`);
    await tab.waitForFunction(() => window.ssemuxTest, null, { timeout: 10_000 });
    pages.push(tab);
  }
  return pages;
}

// Paces POST /publish at `rate` per second; each event's data carries the
// time it was sent. Keeps at most MAX_IN_FLIGHT requests out, so a slow
// server shows up as a lower achieved rate instead of a growing queue.
async function startPublisher(server, rate) {
  const client = new LeanPublisher(server.origin);
  await client.open();
  const state = { sent: 0, failed: 0, stopped: false, inFlight: 0 };
  const started = now();
  state.done = (async () => {
    while (!state.stopped) {
      const due = started + (state.sent * 1000) / rate;
      const wait = due - now();
      if (wait > 1) await sleep(wait);
      if (state.inFlight >= MAX_IN_FLIGHT) {
        await sleep(1);
        continue;
      }
      state.inFlight++;
      const i = state.sent++;
      client.publish(TOPIC, 'tick', JSON.stringify({ i, t: now() }))
        .catch(() => state.failed++)
        .finally(() => state.inFlight--);
    }
    try {
      await waitFor(() => state.inFlight, (n) => n === 0, { timeoutMs: 10_000, what: 'publishes in flight to finish' });
    } finally {
      client.close();
    }
  })();
  return state;
}

// Mean of (high-resolution clock - Date.now()) over a while. Date.now() reads
// the system clock in every process; averaging over many readings cancels
// its 1 ms steps. Tab bias minus node bias = tab clock minus node clock,
// independent of how slow a round trip to the tab is under load.
async function clockBias(ms = 100) {
  let sum = 0;
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    sum += now() - Date.now();
    if (++n % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return sum / n;
}

async function clockOffsets(pages) {
  const nodeBias = await clockBias();
  const offsets = [];
  for (const page of pages) offsets.push((await page.evaluate(() => window.ssemuxTest.clockBias())) - nodeBias);
  return offsets;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

// One run: `tabs` tabs of one client kind, a fresh browser, rate events/s.
async function runScenario({ server, kind, tabs, rate, seconds, hubQuery, args, page, renice }) {
  const browser = await launchBrowser({ args });
  const priority = renice ? keepNormalPriority(browser) : null;
  try {
    const pages = await openTabs(browser, server.origin, tabs, page);
    const workerUrl = `/ssemux/ssemux-worker.js${hubQuery ? `?${hubQuery}` : ''}`;
    for (const page of pages) {
      if (kind === 'hub') await openShared(page, STREAM, { transport: 'shared-worker', types: ['tick'], latency: true, workerUrl });
      else await openNative(page, STREAM, { types: ['tick'], latency: true });
    }
    const expectConnected = kind === 'hub' ? tabs : Math.min(tabs, NATIVE_LIMIT);
    const connected = await waitFor(
      async () => (await Promise.all(pages.map(snapshot))).filter((snap) => isOpened(snap)).length,
      (n) => n >= expectConnected,
      { timeoutMs: 30_000, what: `${expectConnected} of ${tabs} ${kind} tabs open` },
    ).catch(async () => (await Promise.all(pages.map(snapshot))).filter((snap) => isOpened(snap)).length);
    await sleep(300); // let stalled native tabs show that they stay stalled
    const offsets = await clockOffsets(pages);

    // Warm up, then measure the events published within the window: each
    // must reach every connected tab by the end of the drain.
    // CPU is counted from the first publish until every connected tab has
    // handled every event (or a minute after publishing stopped).
    const cpu = new CpuSampler(browser);
    cpu.begin();
    const publisher = await startPublisher(server, rate);
    await sleep(WARMUP_MS);
    const first = publisher.sent;
    const windowStart = now();
    await sleep(seconds * 1000);
    const last = publisher.sent; // events first .. last-1 are measured
    const windowMs = now() - windowStart;
    publisher.stopped = true;
    await publisher.done;
    await sleep(DRAIN_MS);
    const streams = await server.streamCount();
    const handled = async () => (await Promise.all(pages.map(snapshot))).filter((snap) => isOpened(snap))
      .reduce((sum, snap) => sum + snap.clients[0].events, 0);
    const deliveries = publisher.sent * connected;
    await waitFor(handled, (n) => n >= deliveries, { timeoutMs: 60_000, intervalMs: 250, what: 'every event in every tab' }).catch(() => {});
    const cpuUsed = cpu.end();

    const latencies = [];
    for (const [tab, page] of pages.entries()) {
      const [pairs] = await page.evaluate(() => window.ssemuxTest.takeLatencies());
      for (let k = 0; k < pairs.length; k += 2) {
        if (pairs[k] >= first && pairs[k] < last) latencies.push(pairs[k + 1] - offsets[tab]);
      }
    }
    latencies.sort((a, b) => a - b);
    return {
      kind, tabs, connected, streams,
      publishedPerSecond: ((last - first) * 1000) / windowMs,
      publishFailures: publisher.failed,
      deliveredPerSecond: (latencies.length * 1000) / windowMs,
      expected: (last - first) * connected,
      received: latencies.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? NaN,
      maxOffsetMs: Math.max(...offsets.map(Math.abs)),
      cpu: cpuUsed,
      deliveries,
    };
  } finally {
    if (priority !== null) {
      priority.stop();
      if (priority.failed()) console.error(`hub-bench: --renice: ${priority.failed()}`);
    }
    await browser.close();
  }
}

const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}x` : '-');

function printTable(rows, opts, serverKind) {
  console.log(`\nhub-bench: ${opts.rate} events/s for ${opts.seconds} s per run, ${serverKind} server, ` +
    `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}` +
    `, page ${PAGES[opts.page]}${opts.renice ? ', renderers reniced to 0' : ''}${opts.hubQuery ? `, hub ?${opts.hubQuery}` : ''}${opts.args.length ? `, chromium ${opts.args.join(' ')}` : ''}`);
  const header = ['tabs', 'client', 'connected', 'streams', 'published/s', 'delivered/s', 'undelivered', 'p50 ms', 'p99 ms', 'max ms'];
  const lines = [header];
  for (const tabs of opts.tabs) {
    const hub = rows.find((r) => r.tabs === tabs && r.kind === 'hub');
    const native = rows.find((r) => r.tabs === tabs && r.kind === 'native');
    for (const r of [hub, native].filter(Boolean)) {
      lines.push([String(tabs), r.kind, `${r.connected}/${r.tabs}`, String(r.streams), fmt(r.publishedPerSecond, 0), fmt(r.deliveredPerSecond, 0),
        String(Math.max(0, r.expected - r.received)), fmt(r.p50), fmt(r.p99), fmt(r.max)]);
    }
    if (hub && native) {
      lines.push([String(tabs), 'hub/native', ratio(hub.connected, native.connected), ratio(hub.streams, native.streams), '',
        ratio(hub.deliveredPerSecond, native.deliveredPerSecond), '', ratio(hub.p50, native.p50), ratio(hub.p99, native.p99), ratio(hub.max, native.max)]);
    }
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  for (const line of lines) console.log(line.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  const offset = Math.max(...rows.map((r) => r.maxOffsetMs));
  const failures = rows.reduce((sum, r) => sum + r.publishFailures, 0);
  console.log(`(latency: POST /publish sent -> event handler in the tab, corrected by each tab's clock offset, at most ${fmt(offset, 2)} ms; ` +
    `"undelivered" = events published in the window that a connected tab never received (waited for up to 60 s after publishing stopped); ` +
    `failed publishes: ${failures})`);
  for (const r of rows) console.log(`${r.tabs} ${r.kind}: ${formatCpu(r.cpu, r.deliveries)}`);
  const goalRow = rows.find((r) => r.kind === 'hub' && r.tabs === GOAL.tabs);
  if (goalRow) {
    console.log(`goal (issue 3): ${GOAL.tabs} tabs, one upstream, p99 < ${GOAL.p99Ms} ms at 1,000 events/s: ` +
      `p99 ${fmt(goalRow.p99)} ms over ${goalRow.streams} stream(s) at ${fmt(goalRow.publishedPerSecond, 0)} events/s published -> ` +
      `${goalRow.p99 < GOAL.p99Ms && goalRow.streams === 1 ? 'met' : 'not met'}`);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const missing = hubMissingReason();
  if (missing) throw new Error(missing);
  const serverKind = chooseServerKind();
  const site = stageSite();
  const rows = [];
  try {
    for (const tabs of opts.tabs) {
      for (const kind of opts.clients) {
        // A fresh server per run: no history, no streams left over.
        const server = await startServer({ kind: serverKind, staticDir: site.dir });
        try {
          process.stderr.write(`hub-bench: ${tabs} tab(s), ${kind} ...\n`);
          rows.push(await runScenario({ server, kind, tabs, rate: opts.rate, seconds: opts.seconds, hubQuery: opts.hubQuery, args: opts.args, page: opts.page, renice: opts.renice }));
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    site.remove();
  }
  printTable(rows, opts, serverKind);
}

main().catch((err) => {
  console.error(`hub-bench: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
