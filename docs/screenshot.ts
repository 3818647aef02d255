// Makes docs/viewer.png, the README's picture of the viewer: the report of the built-in designs at the
// default bounds, seed-2019's no-leak counterexample at its last step, in Debian's headless chromium.
//   npm run screenshot            (needs the chromium command; see .ci/run)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { main } from '../cli/main.js';
import { chromiumPath, launch, MISSING_CHROMIUM } from '../test/helpers/browser.js';

const out = fileURLToPath(new URL('./viewer.png', import.meta.url));
const chromium = chromiumPath();
if (!chromium) { console.error(MISSING_CHROMIUM); process.exit(2); }
const dir = mkdtempSync(join(tmpdir(), 'inflight-screenshot-'));
try {
  const code = await main(['report', '--out', dir, '--designs', 'seed-2019'], { out: (s) => console.log(s), err: (s) => console.error(s) });
  if (code !== 0) throw new Error(`report exited ${code}`);
  const browser = await launch(chromium, { width: 1040, height: 600 });
  try {
    const page = browser.context.pages()[0] ?? await browser.context.newPage();
    await page.goto(`${pathToFileURL(join(dir, 'seed-2019--no-leak.html')).href}#step-5`);
    await page.locator('#step-counter', { hasText: 'step 5 / 5' }).waitFor();
    await page.screenshot({ path: out });
  } finally { await browser.close(); }
  console.log(`${out}: ${statSync(out).size} bytes`);
} finally { rmSync(dir, { recursive: true, force: true }); }
