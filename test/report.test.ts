// The HTML report in a real browser: Debian's chromium, headless, driven by playwright-core. The site
// is generated in-process, opened from file://, and stepped through with the buttons and the keyboard.
// A screenshot of the viewer is saved as test-artifacts/viewer.png.
import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { main, type Io } from '../cli/main.js';
import { builtinDesigns } from '../model/designs/index.js';
import { chromiumPath, launch, MISSING_CHROMIUM } from './helpers/browser.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts');
const TITLE = 'report in chromium: the matrix lists every design, a counterexample page steps with buttons and keys';

const chromium = chromiumPath();

// Without chromium the test is skipped, with the reason in its title (`npm ci && npm test` on a fresh
// machine passes); .ci/run installs chromium and sets INFLIGHT_REQUIRE_BROWSER=1, so that in CI a missing
// browser fails instead of going unnoticed.
if (chromium === undefined && process.env['INFLIGHT_REQUIRE_BROWSER'] !== '1') {
  // Skipped, not passed: nothing here can drive a browser (the reason is the comment above and the title).
  test.skip(`${TITLE} (skipped: no chromium command; apt-get install -y chromium, as .ci/run does)`, () => {});
} else if (chromium === undefined) {
  test(TITLE, (t) => { t.fail(MISSING_CHROMIUM); });
} else {
  test(TITLE, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'inflight-report-test-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const errs: string[] = [];
    const io: Io = { out: () => {}, err: (s) => { errs.push(s); }, tty: false };
    t.is(await main(['report', '--out', dir], io), 0, errs.join('\n'));

    const browser = await launch(chromium);
    t.teardown(() => browser.close());
    const { context } = browser;
    // Nothing but file:// may be fetched.
    const fetched: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      fetched.push(url);
      return route.abort();
    });
    const page = context.pages()[0] ?? await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });

    // The matrix: one row per built-in design, in order.
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
    const rows = await page.locator('#matrix tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-design')));
    t.deepEqual(rows, builtinDesigns.map((d) => d.name));
    t.is(await page.locator('tr[data-design="seed-2019"] td[data-property="no-leak"]').getAttribute('data-status'), 'violated');

    // Follow the link to seed-2019's no-leak counterexample.
    await page.click('tr[data-design="seed-2019"] td[data-property="no-leak"] a');
    await page.waitForURL(/seed-2019--no-leak\.html/);
    const counter = page.locator('#step-counter');
    const syscall = page.locator('#syscall');
    const svg = () => page.locator('#graph').innerHTML();
    t.is(await counter.textContent(), 'step 0 / 5');
    t.is(await syscall.textContent(), 'the initial world');
    const svg0 = await svg();
    t.regex(svg0, /^<svg[\s>]/);
    t.true(await page.locator('#prev').isDisabled(), 'no step before the first');
    t.true(await page.locator('#verdict').isHidden(), 'the verdict shows at the last step only');

    // The next-step button: the counter, the syscall and the picture change.
    await page.click('#next');
    t.is(await counter.textContent(), 'step 1 / 5');
    const call1 = await syscall.textContent();
    t.regex(call1 ?? '', /^1\. T0 socketpair\(AF_UNIX, SOCK_DGRAM\) = 0 \[fds 3, 4\]$/);
    const svg1 = await svg();
    t.regex(svg1, /^<svg[\s>]/);
    t.not(svg1, svg0);
    t.true(svg1.includes('f0:unix/dgram'));
    t.true((await page.locator('#diff').textContent())!.includes('T0 fd 3: f0:unix/dgram'));
    t.is(await page.locator('#steps tr.current').getAttribute('data-step'), '1');

    // The keyboard: → and ← step, End goes to the last step, where the violation is shown.
    await page.keyboard.press('ArrowRight');
    t.is(await counter.textContent(), 'step 2 / 5');
    t.not(await syscall.textContent(), call1);
    await page.keyboard.press('ArrowLeft');
    t.is(await counter.textContent(), 'step 1 / 5');
    t.is(await svg(), svg1);
    await page.keyboard.press('End');
    t.is(await counter.textContent(), 'step 5 / 5');
    t.regex((await syscall.textContent()) ?? '', /^5\. T0 exit\(0\) = 0$/);
    t.true(await page.locator('#next').isDisabled());
    t.true(await page.locator('#verdict').isVisible());
    t.regex((await page.locator('#verdict').textContent()) ?? '', /no-leak is violated after this step: leaked: f1:unix\/dgram, f2:io_uring/);
    // In the last picture the two leaked files are the highlighted (unreachable) nodes.
    const leaked = await page.locator('#graph g.node.unreachable').evaluateAll((gs) => gs.map((g) => g.querySelector('title')?.textContent));
    t.deepEqual(leaked.sort(), ['file_1', 'file_2']);

    // A step row can be clicked; then back to step 4 for the screenshot.
    await page.click('#steps tr[data-step="4"]');
    t.is(await counter.textContent(), 'step 4 / 5');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'viewer.png'), fullPage: true });
    t.log(`screenshot: ${join(ARTIFACTS, 'viewer.png')}`);

    t.deepEqual(fetched, [], 'no request left file://');
    t.deepEqual(problems, [], 'no script errors or console warnings');
  });
}
