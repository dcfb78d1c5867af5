// HS256 JWTs for servers started with a secret (docs/auth.md).
import { createHmac } from 'node:crypto';

const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function mintToken(secret, { subscribe = [], publish = [], ttlSeconds = 3600 } = {}) {
  const head = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ exp: Math.floor(Date.now() / 1000) + ttlSeconds, ssemux: { subscribe, publish } })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
