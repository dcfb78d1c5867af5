// A lean POST /publish client for hub-bench.mjs: a few keep-alive sockets,
// requests written as bytes, responses read by Content-Length. node:http
// spent most of a core at 1,000 requests/s on a 2-core machine, which the
// browser under test then lacked; this needs a fraction of that.
import { connect } from 'node:net';

const HEAD_END = '\r\n\r\n';

class PublishConnection {
  constructor(host, port) {
    this.host = host;
    this.port = port;
    this.socket = null;
    this.buffer = '';
    this.pending = null; // { resolve, reject } of the request on the wire
    this.dead = false;
  }

  open() {
    return new Promise((resolve, reject) => {
      this.socket = connect({ host: this.host, port: this.port, noDelay: true }, resolve);
      this.socket.setEncoding('latin1');
      this.socket.once('error', reject);
      this.socket.on('error', (err) => this.fail(err));
      this.socket.on('data', (chunk) => this.onData(chunk));
      this.socket.on('close', () => {
        this.dead = true;
        this.fail(new Error('publish connection closed by the server'));
      });
    });
  }

  send(body) {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(`POST /publish HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  onData(chunk) {
    this.buffer += chunk;
    const headEnd = this.buffer.indexOf(HEAD_END);
    if (headEnd < 0 || !this.pending) return;
    const head = this.buffer.slice(0, headEnd);
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    const end = headEnd + HEAD_END.length + length;
    if (this.buffer.length < end) return;
    const status = Number(head.slice(9, 12));
    const body = this.buffer.slice(headEnd + HEAD_END.length, end);
    this.buffer = this.buffer.slice(end);
    const { resolve, reject } = this.pending;
    this.pending = null;
    if (status === 200) resolve(body);
    else reject(new Error(`POST /publish: ${status} ${body}`));
  }

  fail(err) {
    if (this.pending) this.pending.reject(err);
    this.pending = null;
  }

  close() {
    this.socket?.destroy();
  }
}

// publish(topic, type, data) -> Promise of the response body; requests wait
// for a free connection in the order they were made.
export class LeanPublisher {
  constructor(origin, connections = 4) {
    const { hostname, port } = new URL(origin);
    this.connections = Array.from({ length: connections }, () => new PublishConnection(hostname, Number(port)));
    this.idle = [];
    this.queue = [];
  }

  async open() {
    await Promise.all(this.connections.map((c) => c.open()));
    this.idle = [...this.connections];
  }

  publish(topic, type, data) {
    const body = new URLSearchParams({ topic, type, data }).toString();
    return new Promise((resolve, reject) => {
      this.queue.push({ body, resolve, reject });
      this.pump();
    });
  }

  pump() {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const connection = this.idle.pop();
      const { body, resolve, reject } = this.queue.shift();
      connection.send(body).then(resolve, reject).finally(() => {
        if (!connection.dead) this.idle.push(connection);
        this.pump();
      });
    }
  }

  close() {
    for (const c of this.connections) c.close();
  }
}
