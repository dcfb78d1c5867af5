// npm prepack/postpack: the package ships ssemux.wasm next to ssemux-core.js
// (loadCore() finds it there), but the wasm is a build output. Copy it in
// from the CMake build before packing and remove it afterwards.
//   node scripts/wasm-for-pack.mjs copy | clean
// The build directory: $SSEMUX_WEB_DIR, default ../build/web/ssemux.
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const target = path.join(here, '..', 'src', 'ssemux.wasm');
const webDir = path.resolve(process.env.SSEMUX_WEB_DIR || path.join(here, '..', '..', 'build', 'web', 'ssemux'));
const source = path.join(webDir, 'ssemux.wasm');

if (process.argv[2] === 'clean') {
  rmSync(target, { force: true });
} else {
  if (!existsSync(source)) {
    console.error(`ssemux: no ${source}; build first (cmake -S . -B build && cmake --build build) or set SSEMUX_WEB_DIR`);
    process.exit(1);
  }
  copyFileSync(source, target);
}
