// The one place a test decides what to do when a tool it needs (redis-server,
// nginx, stunnel, a browser, a build output) is not there. Under CI
// (CI=true) that fails the test file: CI installs everything
// (.ci/install-deps.sh), so a missing tool is a broken run, not a reason to
// report green with fewer tests. Elsewhere the tests skip, and say so in a
// line nobody can miss. tests/lib/prerequisites.sh is the same rule for the
// shell stages.
import { relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** True when the run is a CI run (CI=true, as CI services set it). */
export const underCi = /^(true|1|yes)$/i.test(process.env.CI ?? '');

/**
 * Given why some tests cannot run here (or a falsy value when nothing is
 * missing), returns what node:test's `skip` option takes: false, or the
 * reason (not null: Node 20 reports a test with `skip: null` as skipped,
 * even though it runs). Under CI a reason throws instead, which fails the
 * test file.
 */
export function skipWhenMissing(reason) {
  if (!reason) return false;
  const file = process.argv[1] ? relative(repoRoot, process.argv[1]) : 'a test file';
  if (underCi) {
    throw new Error(`CI=true and a prerequisite of ${file} is missing: ${reason}`);
  }
  console.error(`\n*** SKIPPED (${file}): ${reason} ***\n`);
  return reason;
}
