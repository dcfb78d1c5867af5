// One version number for the whole project: project(ssemux VERSION x.y.z) in
// the top-level CMakeLists.txt (the binaries' --version, the .deb) and
// "version" in worker/package.json (the npm package) must agree. Read from
// the sources, so it fails before anything is built or packed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './wasm-core.mjs';

test('cmake_project_version_equals_the_npm_package_version', () => {
  const cmake = readFileSync(path.join(repoRoot, 'CMakeLists.txt'), 'utf8');
  const match = /^project\(ssemux\s+VERSION\s+(\d+\.\d+\.\d+)\b/m.exec(cmake);
  assert.ok(match, 'CMakeLists.txt should declare project(ssemux VERSION x.y.z)');
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'worker/package.json'), 'utf8'));
  assert.equal(pkg.version, match[1],
    `worker/package.json says ${pkg.version}, CMakeLists.txt says ${match[1]}: change both (docs/packaging.md)`);
});
