// Hostile requests, one connection each, and the answer each must get.
// `send`: the bytes, in one write (a string) or as pieces; `expect`: the
// responses in order ({status, allow, body: RegExp, head: true for a HEAD
// reply}); `closed`: whether the server must close the connection after.
import { mintToken } from '../e2e/lib/jwt.mjs';

export const SECRET = 'hostile-suite-secret-0123456789abcdef';
export const token = mintToken(SECRET, { subscribe: ['t', 'honest', 'esc'], publish: ['t', 'esc', 'honest'] });
const auth = `Authorization: Bearer ${token}\r\n`;
const h = (s) => s.replace(/\n/g, '\r\n');

function post(body, { type = 'application/x-www-form-urlencoded', extra = '' } = {}) {
  return `POST /publish HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: ${type}\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}
const get = (path, extra = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\n${auth}${extra}\r\n`;
const ok = { status: 200 };
const refused = (status, more = {}) => ({ expect: [{ status, ...more }], closed: true });

export const cases = [
  // Pipelining: answered in order, or refused with Connection: close.
  { name: 'three POSTs in one write', send: post('topic=t&data=a').repeat(3),
    expect: [ok, { status: 503, body: /pipelined/ }], closed: true },
  { name: 'GET /healthz then a POST in one write', send: get('/healthz') + post('topic=t&data=b'),
    expect: [ok, { status: 503 }], closed: true },
  { name: 'a GET then a POST with a 1-byte body in one write (found by fuzz_http_stream)', send: get('/healthz') + post('x'),
    expect: [ok, { status: 503 }], closed: true },
  { name: 'two GET /healthz in one write', send: get('/healthz') + get('/healthz', 'Connection: close\r\n'),
    expect: [ok, ok], closed: true },
  { name: 'GET /events with a GET pipelined behind it', send: get('/events?topic=t') + get('/healthz'),
    ...refused(400, { body: /pipelined/ }) },
  { name: 'POST then GET /metrics in one write', send: post('topic=t&data=c') + get('/metrics', 'Connection: close\r\n'),
    expect: [ok, ok], closed: true },
  { name: 'a POST body split across writes', send: [post('topic=t&data=split').slice(0, -5), post('topic=t&data=split').slice(-5)],
    gapMs: 150, expect: [ok], closed: false },
  { name: 'a head dribbled a byte at a time', send: [...get('/healthz')], gapMs: 2, expect: [ok], closed: false },
  // HEAD never gets a body (RFC 9110 9.3.2), so the next answer stays in sync.
  { name: 'HEAD /healthz then GET', send: h('HEAD /healthz HTTP/1.1\nHost: x\n\n') + get('/healthz', 'Connection: close\r\n'),
    expect: [{ status: 200, head: true }, { status: 200, body: /"status"/ }], closed: true },
  { name: 'HEAD /metrics then GET', send: h('HEAD /metrics HTTP/1.1\nHost: x\n\n') + get('/healthz', 'Connection: close\r\n'),
    expect: [{ status: 200, head: true }, ok], closed: true },
  { name: 'HEAD /events', send: `HEAD /events?topic=t HTTP/1.1\r\nHost: x\r\n${auth}\r\n` + get('/healthz', 'Connection: close\r\n'),
    expect: [{ status: 200, head: true }, ok], closed: true },
  { name: 'HEAD /events without a token', send: h('HEAD /events?topic=t HTTP/1.1\nHost: x\n\n') + get('/healthz', 'Connection: close\r\n'),
    expect: [{ status: 401, head: true }, ok], closed: true },
  { name: 'HEAD /publish', send: h('HEAD /publish HTTP/1.1\nHost: x\n\n'), expect: [{ status: 405, head: true, allow: 'POST, OPTIONS' }], closed: true },
  { name: 'HEAD of a missing path', send: h('HEAD /nope HTTP/1.1\nHost: x\n\n') + get('/healthz', 'Connection: close\r\n'),
    expect: [{ status: 404, head: true }, ok], closed: true },
  // Framing (RFC 9112 6.1-6.3): 400 and close.
  { name: 'two different Content-Lengths', send: `POST /publish HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 14\r\nContent-Length: 40\r\n\r\n` + 'topic=t&data=d' + get('/healthz'),
    ...refused(400, { body: /Content-Length/ }) },
  { name: 'two equal Content-Lengths', send: h('POST /publish HTTP/1.1\nHost: x\nContent-Length: 3\nContent-Length: 3\n\nabc'), ...refused(400) },
  { name: 'Content-Length: 2e1', send: h('POST /publish HTTP/1.1\nHost: x\nContent-Length: 2e1\n\n') + 'x'.repeat(20), ...refused(400) },
  { name: 'Content-Length: -1', send: h('POST /publish HTTP/1.1\nHost: x\nContent-Length: -1\n\n'), ...refused(400) },
  { name: 'Content-Length: +3', send: h('POST /publish HTTP/1.1\nHost: x\nContent-Length: +3\n\nabc'), ...refused(400) },
  { name: 'Content-Length: 3, 3', send: h('POST /publish HTTP/1.1\nHost: x\nContent-Length: 3, 3\n\nabc'), ...refused(400) },
  { name: 'Content-Length of 20 digits', send: h('POST /publish HTTP/1.1\nHost: x\nContent-Length: 99999999999999999999\n\n'), ...refused(400) },
  { name: 'Content-Length with Transfer-Encoding', send: h('POST /publish HTTP/1.1\nHost: x\nContent-Length: 5\nTransfer-Encoding: chunked\n\n0\n\n'), ...refused(400) },
  { name: 'Transfer-Encoding: chunked', send: h('POST /publish HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n0\n\n'), ...refused(411) },
  { name: 'Transfer-Encoding : chunked (space before colon)', send: h('POST /publish HTTP/1.1\nHost: x\nContent-Length: 5\nTransfer-Encoding : chunked\n\n0\n\n'), ...refused(400) },
  { name: 'Content-Length with a tab before the colon', send: h('POST /publish HTTP/1.1\nHost: x\nContent-Length\t: 5\n\nabcde'), ...refused(400) },
  { name: 'a GET with a body', send: h('GET /healthz HTTP/1.1\nHost: x\nContent-Length: 4\n\n') + 'GET ', ...refused(400) },
  // Malformed heads: 400 (or 501/505) and close, never silence.
  { name: 'a header line without a colon', send: h('GET /healthz HTTP/1.1\nHost x\n\n'), ...refused(400) },
  { name: 'an obs-fold header line', send: h('GET /healthz HTTP/1.1\nHost: x\nX-A: a\n b\n\n'), ...refused(400) },
  { name: 'a NUL in a header value', send: 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n', ...refused(400) },
  { name: 'a bare CR in a header', send: 'GET /healthz HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n', ...refused(400) },
  { name: 'an empty header name', send: h('GET /healthz HTTP/1.1\n: x\n\n'), ...refused(400) },
  { name: 'CONNECT', send: h('CONNECT 127.0.0.1:22 HTTP/1.1\nHost: 127.0.0.1:22\n\n'), ...refused(501) },
  { name: 'TRACE', send: h('TRACE / HTTP/1.1\nHost: x\n\n'), ...refused(501) },
  { name: 'an unknown method', send: h('BREW /pot HTTP/1.1\nHost: x\n\n'), ...refused(501) },
  { name: 'a lowercase method', send: h('get /healthz HTTP/1.1\nHost: x\n\n'), ...refused(501) },
  { name: 'HTTP/2.0 in the request line', send: h('GET /healthz HTTP/2.0\nHost: x\n\n'), ...refused(505) },
  { name: 'HTTP/1.2', send: h('GET /healthz HTTP/1.2\nHost: x\n\n'), ...refused(505) },
  { name: 'an HTTP/0.9 request line', send: h('GET /healthz\n\n'), ...refused(400) },
  { name: 'two spaces in the request line', send: h('GET  /healthz HTTP/1.1\nHost: x\n\n'), ...refused(400) },
  { name: 'a %00 in the target', send: h('GET /events?topic=a%00b HTTP/1.1\nHost: x\n\n'), ...refused(400) },
  { name: 'a %0D%0A in the target smuggling a header', send: get('/events?topic=inj%0D%0ALast-Event-ID:%201-1'), ...refused(400, { body: /request line/ }) },
  { name: 'a control byte in the target', send: 'GET /heal\x01thz HTTP/1.1\r\nHost: x\r\n\r\n', ...refused(400) },
  { name: 'the HTTP/2 preface in clear text', send: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', ...refused(505) },
  { name: 'a TLS ClientHello on the plain port', send: Buffer.from('160301002a0100002603035a', 'hex'), ...refused(400) },
  { name: 'a request line of 9,000 bytes', send: `GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`, ...refused(431) },
  { name: 'headers past 8 KiB', send: `GET /healthz HTTP/1.1\r\nHost: x\r\n${'X-Pad: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n'.repeat(300)}\r\n`, ...refused(431) },
  { name: 'leading empty lines before a request', send: `\r\n\r\n${get('/healthz', 'Connection: close\r\n')}`, expect: [ok], closed: true },
  { name: 'bare LF line ends', send: 'GET /healthz HTTP/1.1\nHost: x\nConnection: close\n\n', expect: [ok], closed: true },
  // Methods: 405 with Allow on every endpoint.
  { name: 'PUT /healthz', send: h('PUT /healthz HTTP/1.1\nHost: x\n\n'), ...refused(405, { allow: 'GET, HEAD' }) },
  { name: 'DELETE /events', send: h('DELETE /events HTTP/1.1\nHost: x\n\n'), ...refused(405, { allow: 'GET, HEAD, OPTIONS' }) },
  { name: 'POST /events', send: h('POST /events HTTP/1.1\nHost: x\nContent-Length: 0\n\n'), ...refused(405, { allow: 'GET, HEAD, OPTIONS' }) },
  { name: 'GET /publish', send: h('GET /publish HTTP/1.1\nHost: x\n\n'), ...refused(405, { allow: 'POST, OPTIONS' }) },
  { name: 'PATCH /metrics with a body', send: h('PATCH /metrics HTTP/1.1\nHost: x\nContent-Length: 2\n\n{}'), ...refused(405, { allow: 'GET, HEAD' }) },
  // Publish refusals before the body: answered, then closed (the body is never parsed as a request).
  { name: 'a publish with a text/plain body', send: post('GET /healthz HTTP/1.1\r\n\r\n', { type: 'text/plain' }), ...refused(415) },
  { name: 'a publish larger than --max-body-bytes', send: `POST /publish HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 900000\r\n\r\n` + 'x'.repeat(2000), ...refused(413) },
  { name: 'a publish without a token, body smuggling a request', send: h('POST /publish HTTP/1.1\nHost: x\nContent-Type: application/x-www-form-urlencoded\nContent-Length: 34\n\n') + 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n', ...refused(401) },
  { name: 'an invalid JSON publish, then an honest one', send: [post('{"topic":"t",', { type: 'application/json' }), post('topic=t&data=after')], gapMs: 300,
    expect: [{ status: 400 }, ok], closed: false },
  // Auth (what held and must keep holding).
  { name: 'a stream without a token', send: h('GET /events?topic=t HTTP/1.1\nHost: x\n\n'), expect: [{ status: 401 }], closed: false },
  { name: 'a token with alg none', send: h(`GET /events?topic=t HTTP/1.1\nHost: x\nAuthorization: Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"ssemux":{"subscribe":["t"]}}').toString('base64url')}.\n\n`),
    expect: [{ status: 401 }], closed: false },
  { name: 'a token signed with another secret', send: get('/events?topic=t').replace(token, mintToken('another-secret-another-secret-xx', { subscribe: ['t'] })),
    expect: [{ status: 401 }], closed: false },
  { name: 'an expired token', send: get('/events?topic=t').replace(token, mintToken(SECRET, { subscribe: ['t'], ttlSeconds: -60 })),
    expect: [{ status: 401 }], closed: false },
  { name: 'a token for another topic', send: get('/events?topic=secret'), expect: [{ status: 403 }], closed: false },
  { name: 'a 5,000-byte junk bearer token', send: get('/events?topic=t').replace(token, 'j'.repeat(5000)), expect: [{ status: 401 }], closed: false },
  { name: 'a junk access_token before a valid cookie', send: `GET /events?topic=t&access_token=${'j'.repeat(5000)} HTTP/1.1\r\nHost: x\r\nCookie: ssemux_token=${token}\r\n\r\n`,
    expect: [{ status: 401 }], closed: false },
  { name: 'a cookie token given twice', send: `GET /events?topic=t HTTP/1.1\r\nHost: x\r\nCookie: ssemux_token=${token}; ssemux_token=${token}\r\n\r\n`,
    expect: [{ status: 401 }], closed: false },
  // JSON escapes (RFC 8259 7): pairs join into UTF-8, a lone half is refused.
  { name: 'a JSON publish with a surrogate pair', send: post('{"topic":"esc","data":"smile \\ud83d\\ude00"}', { type: 'application/json' }), expect: [ok], closed: false },
  { name: 'a JSON publish with a lone surrogate', send: post('{"topic":"esc","data":"\\ud83d"}', { type: 'application/json' }), expect: [{ status: 400, body: /surrogate/ }], closed: false },
  { name: 'a JSON publish with a reversed pair', send: post('{"topic":"esc","data":"\\ude00\\ud83d"}', { type: 'application/json' }), expect: [{ status: 400 }], closed: false },
  // Names and IDs.
  { name: 'a bad Last-Event-ID header', send: get('/events?topic=t', 'Last-Event-ID: nonsense\r\n'), expect: [{ status: 400 }], closed: false },
  { name: 'a bad lastEventId parameter', send: get('/events?topic=t&lastEventId=1-2-3'), expect: [{ status: 400 }], closed: false },
  { name: 'a topic of 5,000 bytes', send: get(`/events?topic=${'t'.repeat(5000)}`), expect: [{ status: 400 }], closed: false },
  { name: 'a stream without a topic', send: get('/events'), expect: [{ status: 400 }], closed: false },
];

/** A head that never completes: the server answers 408 after --header-timeout-ms. */
export const slowHead = h('GET /healthz HTTP/1.1\nHost: x\nX-Slow: ');
