// Real redis-server, nginx and stunnel for the --redis tests
// (tests/node/redis-* and tests/e2e/redis-*): each on a free loopback port
// in its own temp dir, started and stopped by the test. Nothing here needs
// the ssemux build.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipWhenMissing } from '../lib/prerequisites.mjs';

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
export const stunnelBin = which('stunnel4') ?? which('stunnel');

/**
 * The `skip` of tests that need these tools: false when all are installed;
 * else the reason, said loudly (tests/lib/prerequisites.mjs), or a failure
 * under CI, which installs them all.
 */
export function missing(...names) {
  const found = { 'redis-server': redisBin, nginx: nginxBin, stunnel4: stunnelBin };
  const gone = names.filter((n) => !found[n]);
  return skipWhenMissing(gone.length &&
    `${gone.join(' and ')} not installed (apt-get install ${gone.join(' ')}; .ci/install-deps.sh does)`);
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
 * acknowledged survives kill -9 (docs/deployment.md).
 *
 * `args`: more redis-server flags (--requirepass, --user, TLS ones).
 * `auth`: {user?, password} for redis-cli (the PING that says Redis is up,
 * and cli()). `tls`: certificates from makeTlsCerts() to listen with TLS only
 * (--port 0 --tls-port): Redis then has no plain-text port at all.
 * `restart({args, auth})` brings it back on the same port and dir, with
 * other flags or credentials if given.
 */
export async function startRedis({ args = [], auth = null, tls = null } = {}) {
  const dir = tempDir('ssemux-redis-');
  const port = await freePort();
  let child = null;
  let log = '';
  let current = { args, auth };
  const listen = tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.serverCert,
      '--tls-key-file', tls.serverKey, '--tls-ca-cert-file', tls.ca,
      '--tls-auth-clients', 'yes']
    : ['--port', String(port)];
  const cliArgs = () => [
    ...(tls ? ['--tls', '--cacert', tls.ca, '--cert', tls.clientCert,
      '--key', tls.clientKey] : []),
    '-p', String(port), ...(current.auth?.user ? ['--user', current.auth.user] : [])];
  const cliEnv = () => ({ ...process.env, ...(current.auth ? { REDISCLI_AUTH: current.auth.password } : {}) });
  /** redis-cli with these credentials; resolves its trimmed output. */
  const cli = (...command) => {
    const r = spawnSync('redis-cli', [...cliArgs(), ...command], { encoding: 'utf8', env: cliEnv() });
    if (r.error) throw r.error;
    return (r.stdout ?? '').trim();
  };
  const launch = async (changes = {}) => {
    current = { ...current, ...changes };
    child = spawn(redisBin, [...listen, '--bind', '127.0.0.1', '--dir', dir,
      '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no',
      '--protected-mode', 'no', ...current.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (t) => { log += t; });
    child.stderr.on('data', (t) => { log += t; });
    await waitForPort(port, 'redis-server', child);
    // The port opens before the AOF is loaded; PING answers only after.
    await within(START_LIMIT_MS, (async () => {
      for (;;) {
        if (cli('PING') === 'PONG') return;
        if (child.exitCode !== null) throw new Error(`redis-server exited: ${log}`);
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
    cli,
    /** Credentials for later cli() calls (after CONFIG SET requirepass). */
    useAuth: (auth) => { current = { ...current, auth }; },
    kill: () => stopChild('SIGKILL'),
    restart: launch,
    async stop() {
      await stopChild('SIGKILL');
      removeDir(dir);
    },
  };
}

/**
 * Spawns `bin args` and resolves once it listens on `port`: {child, exited,
 * log()} with everything it printed, which a failed start quotes.
 */
async function launchListening(bin, args, port, what) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (t) => { log += t; });
  }
  const exited = new Promise((ok) => child.on('exit', ok));
  try {
    await waitForPort(port, what, child);
  } catch (err) {
    err.message += `; ${what} said: ${log}`;
    throw err;
  }
  return { child, exited, log: () => log };
}

/**
 * A throwaway CA, a server certificate for `host` (and 127.0.0.1) and a
 * client certificate, made with the openssl command line in a temp dir.
 */
export function makeTlsCerts(host = 'localhost') {
  const dir = tempDir('ssemux-redis-tls-');
  const file = (name) => join(dir, name);
  const openssl = (...args) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ssemux test CA',
    '-keyout', file('ca.key'), '-out', file('ca.crt'));
  writeFileSync(file('server.ext'), `subjectAltName=IP:127.0.0.1,DNS:${host}\n`);
  for (const [name, ext] of [['server', ['-extfile', file('server.ext')]], ['client', []]]) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`,
      '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`));
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'),
      '-CAcreateserial', '-days', '2', '-out', file(`${name}.crt`), ...ext);
  }
  return {
    dir,
    ca: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    remove: () => removeDir(dir),
  };
}

/**
 * stunnel (Debian's stunnel4) on a free loopback port: `config(port)`
 * returns the configuration file's text for that accept port (the tests
 * use the recipe in docs/deployment.md). Runs in the foreground, no pid
 * file, until stopped.
 */
export async function startStunnel(config) {
  const dir = tempDir('ssemux-stunnel-');
  const port = await freePort();
  writeFileSync(join(dir, 'stunnel.conf'), `pid =\n${config(port)}`);
  const { child, exited, log } = await launchListening(stunnelBin, [join(dir, 'stunnel.conf')], port,
    'stunnel');
  return {
    port,
    log,
    async stop() {
      if (child.exitCode === null && !child.signalCode) {
        child.kill('SIGKILL');
        await within(WAIT_LIMIT_MS, exited, 'stunnel to exit');
      }
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
  const { child, exited, log } = await launchListening(nginxBin, ['-p', dir, '-e', join(dir, 'error.log'),
    '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], port, 'nginx');
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    log,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await within(WAIT_LIMIT_MS, exited, 'nginx to exit').catch(() => child.kill('SIGKILL'));
      }
      removeDir(dir);
    },
  };
}

