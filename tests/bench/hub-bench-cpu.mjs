// CPU time of one Chromium launch, per process kind, over a window: where
// the time goes when 50 tabs share one hub. Reads /proc/<pid>/stat of the
// processes that carry the launch's --user-data-dir (TestBrowser.pids()).
// Kinds: "browser" (no --type), "renderer" (each tab; one of them hosts the
// SharedWorker, reported apart as "busiest renderer"), "gpu", "utility"
// (the network service among them), plus this node process (the publisher).
import { readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function processCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
  } catch {
    return null; // gone
  }
}

function processKind(pid) {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const type = /--type=([a-z-]+)/.exec(cmdline);
    if (type === null) return 'browser';
    if (type[1] === 'gpu-process') return 'gpu';
    return type[1];
  } catch {
    return null;
  }
}

export class CpuSampler {
  constructor(browser) {
    this.browser = browser;
    this.start = null;
  }

  snapshot() {
    const byPid = new Map();
    for (const pid of this.browser.pids()) {
      const cpu = processCpu(pid);
      const kind = processKind(pid);
      if (cpu !== null && kind !== null) byPid.set(pid, { kind, cpu });
    }
    const usage = process.cpuUsage();
    return { at: performance.now(), byPid, node: (usage.user + usage.system) / 1e6 };
  }

  begin() {
    this.start = this.snapshot();
  }

  /** Seconds of CPU per second of wall time, per kind, since begin(). */
  end() {
    const end = this.snapshot();
    const wall = (end.at - this.start.at) / 1000;
    const kinds = {};
    let busiest = 0;
    let renderers = 0;
    for (const [pid, { kind, cpu }] of end.byPid) {
      const used = cpu - (this.start.byPid.get(pid)?.cpu ?? 0);
      kinds[kind] = (kinds[kind] ?? 0) + used / wall;
      if (kind === 'renderer') {
        renderers++;
        busiest = Math.max(busiest, used / wall);
      }
    }
    kinds['busiest renderer'] = busiest;
    kinds.node = (end.node - this.start.node) / wall;
    return { wall, renderers, kinds };
  }
}

/**
 * `used` from end(); with `deliveries` (events x tabs handled in that time),
 * also the CPU microseconds per delivery, per kind and in all: the cost
 * that does not depend on how many cores other programs left us.
 */
export function formatCpu({ wall, renderers, kinds }, deliveries = 0) {
  const order = ['browser', 'renderer', 'busiest renderer', 'gpu', 'utility', 'node'];
  const names = [...order.filter((k) => k in kinds), ...Object.keys(kinds).filter((k) => !order.includes(k) && kinds[k] >= 0.005)];
  const busy = `cpu (cores busy over ${wall.toFixed(1)} s): ${names.map((k) => `${k}${k === 'renderer' ? ` x${renderers}` : ''} ${kinds[k].toFixed(2)}`).join(', ')}`;
  if (!(deliveries > 0)) return busy;
  const perDelivery = (cores) => ((cores * wall) / deliveries) * 1e6;
  const chromium = Object.entries(kinds).filter(([k]) => k !== 'node' && k !== 'busiest renderer').reduce((sum, [, v]) => sum + v, 0);
  return `${busy}; per event per tab: chromium ${perDelivery(chromium).toFixed(1)} us ` +
    `(renderers ${perDelivery(kinds.renderer ?? 0).toFixed(1)}, browser ${perDelivery(kinds.browser ?? 0).toFixed(1)})`;
}

// Chromium on Linux runs most tab renderers at nice +5 (the browser and GPU
// processes at -8). On a machine shared with other work at nice 0 the tabs
// then get a small share of the cores, whatever the hub does. --renice puts
// every process of the launch back to nice 0 (root only), re-checked every
// 250 ms because Chromium sets priorities again as tabs change: a
// diagnostic, to tell starvation by other programs from our own cost.
export function keepNormalPriority(browser) {
  let failed = null;
  const apply = () => {
    for (const pid of browser.pids()) {
      try {
        if (getPriority(pid) !== 0) setPriority(pid, 0);
      } catch (err) {
        failed ??= err.message;
      }
    }
  };
  apply();
  const timer = setInterval(apply, 250);
  return { stop: () => clearInterval(timer), failed: () => failed };
}
