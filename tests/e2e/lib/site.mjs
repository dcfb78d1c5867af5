// The one origin every test tab loads from: a throw-away directory the server
// serves with --static, holding the test pages at /pages/ and the shipped
// SharedEventSource files at /ssemux/ (copied, so the server's path checks
// see ordinary files and a rebuild mid-run cannot change what a test loads).
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipWhenMissing } from '../../lib/prerequisites.mjs';
import { pagesDir, webDir } from './paths.mjs';

export const HUB_MODULE = 'ssemux.js';

// Why the hub tests cannot run (said loudly; under CI a failure), or null
// when they can.
export function hubMissingReason() {
  const module = join(webDir, HUB_MODULE);
  return skipWhenMissing(!existsSync(module) &&
    `${module} not found: build the worker (cmake --build build) or set SSEMUX_E2E_WEB_DIR`) || null;
}

export function stageSite() {
  const dir = mkdtempSync(join(tmpdir(), 'ssemux-e2e-site-'));
  cpSync(pagesDir, join(dir, 'pages'), { recursive: true, dereference: true });
  if (existsSync(webDir)) cpSync(webDir, join(dir, 'ssemux'), { recursive: true, dereference: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
