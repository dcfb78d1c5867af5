// The production build of app/ by each bundler, as docs/bundlers.md gives it:
// `build` is the shell command the docs show (run in tests/bundlers/, with
// node_modules/.bin on PATH and $OUT the output folder), `page` says whether
// the bundler writes the HTML itself or the app's page is copied next to the
// bundle (which is then dist/main.js, loaded as a module).
export const RECIPES = {
  vite: {
    build: 'vite build app --outDir "$OUT" --emptyOutDir',
    page: 'built',
  },
  webpack: {
    build: 'webpack --mode production --entry ./app/main.js --output-path "$OUT"',
    page: 'copied',
  },
  parcel: {
    build: 'parcel build app/index.html --dist-dir "$OUT" --no-cache --no-source-maps',
    page: 'built',
  },
  rollup: {
    build: 'rollup app/main.js --dir "$OUT" --format es --plugin node-resolve && cp -r node_modules/ssemux/src/. "$OUT"/',
    page: 'copied',
  },
  esbuild: {
    build: 'esbuild app/main.js --bundle --format=esm --outdir="$OUT" && cp -r node_modules/ssemux/src/. "$OUT"/',
    page: 'copied',
  },
};
