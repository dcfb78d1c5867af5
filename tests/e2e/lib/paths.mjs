// Where the e2e tests find the things they test, and where they leave
// evidence. Environment overrides let a CI job point at another build dir.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const pagesDir = resolve(repoRoot, 'tests/e2e/pages');
export const testServerScript = resolve(repoRoot, 'tests/e2e/lib/sse-test-server.mjs');

// The C server binary (issue 4).
export const cServerBin = process.env.SSEMUX_E2E_SERVER_BIN || resolve(repoRoot, 'build/bin/ssemux-server');
// SharedEventSource, its worker and the wasm core as the build ships them.
export const webDir = process.env.SSEMUX_E2E_WEB_DIR || resolve(repoRoot, 'build/web/ssemux');
// Screenshots, console logs and server logs of failed tests.
export const artifactsDir = process.env.SSEMUX_E2E_ARTIFACTS || resolve(repoRoot, 'build/e2e-artifacts');
export const chromiumPath = process.env.SSEMUX_E2E_CHROMIUM || '/usr/bin/chromium';
