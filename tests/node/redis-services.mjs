// Real redis-server and nginx for the --redis tests (tests/node/redis-*
// and tests/e2e/redis-*): each on a free loopback port in its own temp dir,
// started and stopped by the test. Nothing here needs the ssemux build.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const START_LIMIT_MS = 10000;
const WAIT_LIMIT_MS = 10000;
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const tempDir = (prefix) => mkdtempSync(join(tmpdir(), prefix));
const removeDir = (dir) => rmSync(dir, { recursive: true, force: true });

function within(ms, promise, what) {
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** Absolute path of `name` on PATH (or /usr/sbin for nginx), or null. */
export function which(name) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin']) {
    const r = spawnSync('test', ['-x', join(dir, name)]);
    if (r.status === 0) return join(dir, name);
  }
  return null;
}

export const redisBin = which('redis-server');
export const nginxBin = which('nginx');

/** Why a test must skip, said loudly, or false. CI installs both. */
export function missing(...names) {
  const gone = names.filter((n) => !({ 'redis-server': redisBin, nginx: nginxBin })[n]);
  if (!gone.length) return false;
  const why = `SKIPPED: ${gone.join(' and ')} not installed (apt-get install ${gone.join(' ')}; .ci/install-deps.sh does)`;
  console.error(`\n*** ${why} ***\n`);
  return why;
}

/** A TCP port that was free a moment ago (redis-server and nginx need a number). */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

function canConnect(port) {
  return new Promise((ok) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); ok(true); });
    s.on('error', () => ok(false));
  });
}

async function waitForPort(port, what, child, limit = START_LIMIT_MS) {
  const start = Date.now();
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}) before listening`);
    if (Date.now() - start > limit) throw new Error(`${what}: port ${port} not open after ${limit} ms`);
    await sleep(25);
  }
}

/**
 * redis-server on a free loopback port with its own dir. Every write is
 * fsynced to the append-only file before Redis answers, so what Redis
 * acknowledged survives kill -9 (docs/deployment.md). `restart()` brings
 * it back on the same port and dir.
 */
export async function startRedis() {
  const dir = tempDir('ssemux-redis-');
  const port = await freePort();
  let child = null;
  let log = '';
  const launch = async () => {
    child = spawn(redisBin, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
      '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no',
      '--protected-mode', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (t) => { log += t; });
    child.stderr.on('data', (t) => { log += t; });
    await waitForPort(port, 'redis-server', child);
    // The port opens before the AOF is loaded; PING answers only after.
    await within(START_LIMIT_MS, (async () => {
      for (;;) {
        const r = spawnSync('redis-cli', ['-p', String(port), 'PING'], { encoding: 'utf8' });
        if (r.stdout?.trim() === 'PONG' || r.error) return;
        await sleep(25);
      }
    })(), 'redis-server to answer PING');
  };
  await launch();
  const stopChild = async (signal) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode) return;
    const exited = new Promise((ok) => c.on('exit', ok));
    c.kill(signal);
    await within(WAIT_LIMIT_MS, exited, `redis-server to exit on ${signal}`);
  };
  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    log: () => log,
    kill: () => stopChild('SIGKILL'),
    restart: launch,
    async stop() {
      await stopChild('SIGKILL');
      removeDir(dir);
    },
  };
}

/**
 * nginx as a plain round-robin balancer in front of `ports`, configured the
 * way docs/deployment.md says: HTTP/1.1 upstream, buffering off, long read
 * timeout; a refused connection moves on to the next instance. Runs as
 * whoever runs the test, with every path under its own temp dir.
 */
export async function startNginx(ports) {
  const dir = tempDir('ssemux-nginx-');
  for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  // As root nginx runs its worker as "nobody": let it write its temp files.
  chmodSync(dir, 0o777);
  for (const d of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) chmodSync(join(dir, d), 0o777);
  const port = await freePort();
  const conf = `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream ssemux {
${ports.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=1s;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://ssemux;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_cache off;
      proxy_read_timeout 1h;
      proxy_connect_timeout 2s;
      proxy_next_upstream error timeout;
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn(nginxBin, ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf'),
    '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (t) => { log += t; });
  const exited = new Promise((ok) => child.on('exit', ok));
  try {
    await waitForPort(port, 'nginx', child);
  } catch (err) {
    err.message += `; nginx said: ${log}`;
    throw err;
  }
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await within(WAIT_LIMIT_MS, exited, 'nginx to exit').catch(() => child.kill('SIGKILL'));
      }
      removeDir(dir);
    },
  };
}

