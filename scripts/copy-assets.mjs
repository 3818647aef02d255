// npm run build, after tsc: the data files the compiled code reads next to itself (import.meta.url), copied
// into dist/ at the same relative paths: the built-in scenarios, the C parts of `repro`, the oracle's
// executor source. Then dist/.built, whose time bin/inflight.mjs compares with the sources' in a checkout.
import { cpSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const assets = [['scenarios', /\.json$/], ['traces/repro', /\.c$/], ['oracle', /^executor\.c$/]];
for (const [dir, re] of assets) {
  for (const f of readdirSync(join(root, dir)).filter((x) => re.test(x))) cpSync(join(root, dir, f), join(root, 'dist', dir, f));
}
writeFileSync(join(root, 'dist', '.built'), `${new Date().toISOString()}\n`);
