// ssecat follows redirects as a browser's EventSource (Fetch's HTTP-redirect
// fetch) does, against real node HTTP servers on 127.0.0.1 and 127.0.0.2.
// Run: node --test tests/node/ssecat-redirects.test.mjs
import { test } from 'node:test';
import {
  runSsecat, startServer, withServer, startEventStream, eventLine, expectEqual, expectMatch,
} from './ssecat-harness.mjs';

const REDIRECT_CODES = [301, 302, 303, 307, 308];

function redirect(res, status, location) {
  res.writeHead(status, location === undefined ? {} : { Location: location });
  res.end();
}

/** Runs `body(servers)` with one fresh server per host and always closes them all. */
async function withServers(specs, body) {
  const servers = [];
  try {
    for (const { handler, host } of specs) servers.push(await startServer(handler, { host }));
    await body(servers);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
}

const lines = (text) => text.split('\n').filter((l) => l !== '');

for (const status of REDIRECT_CODES) {
  test(`follows_a_${status}_with_a_relative_location_and_says_where_it_went`, async () => {
    await withServer((req, res) => {
      if (req.url === '/stream') return redirect(res, status, '/moved?x=1');
      startEventStream(res);
      res.write(`data: via ${status}\n\n`);
    }, async (server) => {
      const run = await runSsecat(['--max-events', '1', server.url]);
      expectEqual(run.code, 0, `exit code after a ${status}`, run);
      expectEqual(run.lines, [eventLine(`via ${status}`)], 'stdout', run);
      expectEqual(server.requests.map((r) => r.path), ['/stream', '/moved?x=1'], 'paths asked', run);
      expectMatch(run.stderr, new RegExp(`redirected \\(HTTP ${status}\\) to ${server.origin}/moved\\?x=1\\n`),
        'status line naming the new URL', run);
    });
  });
}

// Fetch step 12: 303 (unless GET/HEAD) and 301/302 after a POST become a GET
// without body and without Content-Type; everything else keeps both.
const METHOD_AFTER = {
  POST: { 301: 'GET', 302: 'GET', 303: 'GET', 307: 'POST', 308: 'POST' },
  REPORT: { 301: 'REPORT', 302: 'REPORT', 303: 'GET', 307: 'REPORT', 308: 'REPORT' },
};

for (const method of Object.keys(METHOD_AFTER)) {
  test(`redirects_keep_or_drop_the_${method}_method_and_body_like_fetch`, async () => {
    for (const status of REDIRECT_CODES) {
      await withServer((req, res) => {
        if (req.url === '/stream') return redirect(res, status, '/target');
        startEventStream(res);
        res.write('data: arrived\n\n');
      }, async (server) => {
        const body = '{"query":"scores"}';
        const run = await runSsecat(['-X', method, '-d', body, '-H', 'Content-Type: application/json',
          '--max-events', '1', server.url]);
        expectEqual(run.code, 0, `exit code (${method}, ${status})`, run);
        const [first, second] = server.requests;
        expectEqual([first.method, first.body], [method, body], `first request (${method}, ${status})`, run);
        const expected = METHOD_AFTER[method][status];
        const kept = expected !== 'GET';
        expectEqual({ method: second.method, body: second.body, type: second.headers['content-type'] },
          { method: expected, body: kept ? body : '', type: kept ? 'application/json' : undefined },
          `request after ${status} to a ${method}`, run);
        if (!kept) expectMatch(run.stderr, /as a GET without body/, 'status line says the method changed', run);
      });
    }
  });
}

test('follows_a_chain_across_origins_and_keeps_credentials_on_the_first_origin_only', async () => {
  // Another address and another port are other origins; a path is not.
  const hosts = []; // each server's origin, known once they listen
  await withServers([
    { host: '127.0.0.1', handler: (req, res) => redirect(res, 307, `${hosts[1]}/hop`) },
    { host: '127.0.0.2', handler: (req, res) => {
      if (req.url === '/hop') return redirect(res, 302, '/same-origin');
      redirect(res, 308, `${hosts[2]}/final`);
    } },
    { host: '127.0.0.1', handler: (req, res) => {
      startEventStream(res);
      res.write('id: 8\ndata: at the end of the chain\n\n');
    } },
  ], async (servers) => {
    hosts.push(...servers.map((s) => s.origin));
    const run = await runSsecat(['-H', 'Authorization: Bearer secret', '-H', 'Cookie: session=1',
      '-H', 'X-Tenant: blue', '--last-event-id', '7', '--max-events', '1', servers[0].url]);
    expectEqual(run.code, 0, 'exit code', run);
    expectEqual(run.lines, [eventLine('at the end of the chain', '8')], 'stdout', run);
    const seen = servers.flatMap((s) => s.requests.map((r) => ({
      url: s.origin + r.path, auth: r.headers.authorization, cookie: r.headers.cookie,
      tenant: r.headers['x-tenant'], lastId: r.headers['last-event-id'],
    })));
    const plain = { tenant: 'blue', lastId: '7', auth: undefined, cookie: undefined };
    expectEqual(seen, [
      { url: servers[0].url, ...plain, auth: 'Bearer secret', cookie: 'session=1' },
      { url: `${hosts[1]}/hop`, ...plain },
      { url: `${hosts[1]}/same-origin`, ...plain },
      { url: `${hosts[2]}/final`, ...plain },
    ], 'requests along the chain (credentials stay on the first origin)', run);
    const hops = lines(run.stderr).filter((l) => l.includes('redirected'));
    expectEqual(hops, [
      `ssecat: redirected (HTTP 307) to ${hosts[1]}/hop`,
      `ssecat: redirected (HTTP 302) to ${hosts[1]}/same-origin`,
      `ssecat: redirected (HTTP 308) to ${hosts[2]}/final`,
    ], 'one status line per hop, in order', run);
  });
});

test('stops_with_exit_3_on_a_redirect_loop', async () => {
  await withServer((req, res) => {
    redirect(res, 302, req.url === '/a' ? '/b' : '/a');
  }, async (server) => {
    const run = await runSsecat(['--retry', '50', server.url]);
    expectEqual(run.code, 3, 'exit code for a loop', run);
    expectEqual(server.requests.length, 11, 'requests: the first and 10 hops (default --max-redirs)', run);
    expectMatch(run.stderr, /too many redirects: 10 followed, then HTTP 302 to \/[ab] /, 'stderr', run);
  });
});

test('max_redirs_bounds_the_hops_per_attempt', async () => {
  // /stream -> /1 -> /2 -> /3 (the stream): three hops.
  const handler = (req, res) => {
    const step = req.url === '/stream' ? 0 : Number(req.url.slice(1));
    if (step < 3) return redirect(res, 307, `/${step + 1}`);
    startEventStream(res);
    res.write('data: three hops in\n\n');
  };
  for (const [max, code, asked] of [['3', 0, 4], ['2', 3, 3], ['0', 3, 1]]) {
    await withServer(handler, async (server) => {
      const run = await runSsecat(['--max-redirs', max, '--max-events', '1', server.url]);
      expectEqual(run.code, code, `exit code with --max-redirs ${max}`, run);
      expectEqual(server.requests.length, asked, `requests with --max-redirs ${max}`, run);
      if (max === '0') expectMatch(run.stderr, /not followed \(--max-redirs 0\)/, 'stderr', run);
    });
  }
});

test('redirect_without_a_usable_location_is_an_error_not_a_loop', async () => {
  for (const [status, location] of [[301, undefined], [307, '']]) {
    await withServer((req, res) => redirect(res, status, location), async (server) => {
      const run = await runSsecat(['--retry', '50', server.url]);
      expectEqual(run.code, 3, `exit code for ${status} with Location ${JSON.stringify(location)}`, run);
      expectEqual(server.requests.length, 1, 'requests made', run);
      expectMatch(run.stderr, new RegExp(`HTTP ${status}`), 'stderr names the status', run);
    });
  }
});

test('redirect_to_a_scheme_other_than_http_or_to_a_bad_url_stops', async () => {
  for (const [location, why] of [
    ['ftp://127.0.0.1/feed', /ftp:\/\/127\.0\.0\.1\/feed not followed: not http or https/],
    ['http://[::1/feed', /redirect to a bad URL 'http:\/\/\[::1\/feed': Bad IPv6 address/],
  ]) {
    await withServer((req, res) => redirect(res, 302, location), async (server) => {
      const run = await runSsecat(['--retry', '50', server.url]);
      expectEqual(run.code, 3, `exit code for Location: ${location}`, run);
      expectEqual(server.requests.length, 1, 'requests made', run);
      expectMatch(run.stderr, why, 'stderr', run);
    });
  }
});

// WHATWG: a reconnect fetches the EventSource's request again, and redirects
// have moved its current URL to the last one reached (Chromium does the same).
test('reconnects_go_to_the_url_the_last_redirect_reached_and_follow_new_redirects', async () => {
  const origins = []; // each server's origin, known once they listen
  await withServers([
    { host: '127.0.0.1', handler: (req, res) => redirect(res, 307, `${origins[1]}/first`) },
    { host: '127.0.0.2', handler: (req, res, record) => {
      if (record.n === 2) return redirect(res, 301, `${origins[2]}/second`); // on reconnect
      startEventStream(res);
      res.end('retry: 50\nid: 1\ndata: one\n\n');
    } },
    { host: '127.0.0.1', handler: (req, res, record) => {
      startEventStream(res);
      if (record.n === 1) res.end('id: 2\ndata: two\n\n');
      else res.write('id: 3\ndata: three\n\n');
    } },
  ], async (servers) => {
    origins.push(...servers.map((s) => s.origin));
    const run = await runSsecat(['--max-events', '3', servers[0].url]);
    expectEqual(run.code, 0, 'exit code', run);
    expectEqual(run.lines, [eventLine('one', '1'), eventLine('two', '2'), eventLine('three', '3')],
      'events across two reconnects', run);
    const asked = servers.map((s) => s.requests.map((r) => `${r.path} ${r.headers['last-event-id'] ?? '-'}`));
    expectEqual(asked, [
      ['/stream -'],
      ['/first -', '/first 1'],
      ['/second 1', '/second 2'],
    ], 'paths and Last-Event-ID per server (the start URL is asked once)', run);
  });
});

test('a_303_turns_the_post_into_a_get_for_reconnects_too', async () => {
  await withServer((req, res) => {
    if (req.url === '/stream') return redirect(res, 303, '/results');
    startEventStream(res);
    res.end('retry: 50\ndata: result\n\n');
  }, async (server) => {
    const run = await runSsecat(['-d', 'q=1', '--max-events', '2', server.url]);
    expectEqual(run.code, 0, 'exit code', run);
    expectEqual(server.requests.map((r) => `${r.method} ${r.path} ${r.body}`),
      ['POST /stream q=1', 'GET /results ', 'GET /results '], 'requests', run);
  });
});
