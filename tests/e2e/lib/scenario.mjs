// The frame of every browser test: a staged site, a server serving it, a
// fresh browser (Chromium by default; runBrowser = lib/engines' withEngine
// for the engine SSEMUX_E2E_ENGINE names); on failure the server's log joins
// the screenshots; always torn down, whatever happened.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactDirFor, clearArtifacts, withBrowser } from './browser.mjs';
import { startServer } from './server.mjs';
import { stageSite } from './site.mjs';

export async function withServerAndBrowser(t, serverOptions, fn, runBrowser = withBrowser) {
  clearArtifacts(t.name);
  const site = stageSite();
  let server = null;
  try {
    server = await startServer({ staticDir: site.dir, ...serverOptions });
    return await runBrowser(t, (browser) => fn({ server, browser }));
  } catch (err) {
    if (server) writeFileSync(join(artifactDirFor(t.name), `${server.kind}-server.log`), server.log());
    throw err;
  } finally {
    await server?.stop();
    site.remove();
  }
}
