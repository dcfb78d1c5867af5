// npm prepack/postpack: brings in the two files the package ships that do
// not live in worker/, and removes them after packing so the source tree
// stays as checked in:
//   src/ssemux.wasm  the client core, a CMake build output; loadCore() finds
//                    it next to ssemux-core.js
//   LICENSE          the repository's, which the MIT terms require to travel
//                    with the code
//   node scripts/pack-files.mjs copy | clean
// The build directory: $SSEMUX_WEB_DIR, default ../build/web/ssemux.
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const workerDir = path.join(here, '..');
const webDir = path.resolve(process.env.SSEMUX_WEB_DIR || path.join(workerDir, '..', 'build', 'web', 'ssemux'));
const files = [
  { from: path.join(webDir, 'ssemux.wasm'), to: path.join(workerDir, 'src', 'ssemux.wasm'),
    missing: 'build first (cmake -S . -B build && cmake --build build) or set SSEMUX_WEB_DIR' },
  { from: path.join(workerDir, '..', 'LICENSE'), to: path.join(workerDir, 'LICENSE'),
    missing: 'pack from a checkout of the whole repository' },
];

if (process.argv[2] === 'clean') {
  for (const f of files) rmSync(f.to, { force: true });
} else {
  for (const f of files) {
    if (!existsSync(f.from)) {
      console.error(`ssemux: no ${f.from}; ${f.missing}`);
      process.exit(1);
    }
  }
  for (const f of files) copyFileSync(f.from, f.to);
}
