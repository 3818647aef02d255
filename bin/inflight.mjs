#!/usr/bin/env node
// Entry point. It runs the compiled CLI (dist/, which `npm run build` makes and npm ci / npm install run
// through `prepare`): plain JavaScript, no TypeScript compiled at start. A user's design, scenario or
// properties module needs no loader either: cli/usercode.ts bundles it with esbuild.
//
// In a checkout it runs the TypeScript sources instead, through tsx (a devDependency), when
// INFLIGHT_FROM_SOURCE=1 (the test suite sets it: tests are of the sources, not of a build), when there is
// no dist/, or when a source file is newer than the build (an edit not yet built is not silently ignored).
import { existsSync, readdirSync, statSync } from 'node:fs';

const SOURCE_DIRS = ['api', 'checker', 'cli', 'model', 'oracle', 'properties', 'scenarios', 'traces'];
const STAMP = new URL('../dist/.built', import.meta.url);

/** The newest modification time of the sources (their .ts and data files), in ms. */
function newestSource() {
  let newest = 0;
  for (const d of SOURCE_DIRS) {
    const dir = new URL(`../${d}/`, import.meta.url);
    for (const f of readdirSync(dir, { recursive: true })) newest = Math.max(newest, statSync(new URL(f, dir)).mtimeMs);
  }
  return newest;
}

function fromSource() {
  if (!existsSync(new URL('../cli/main.ts', import.meta.url))) return false;   // an installed package: dist/ only
  if (process.env.INFLIGHT_FROM_SOURCE === '1' || !existsSync(STAMP)) return true;
  return newestSource() > statSync(STAMP).mtimeMs;
}

// Signals, a closed stdout (EPIPE) and the terminal's width: cli/process.ts.
let main, runProcess;
if (fromSource()) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
  ({ runProcess } = await import('../cli/process.ts'));
} else {
  ({ main } = await import('../dist/cli/main.js'));
  ({ runProcess } = await import('../dist/cli/process.js'));
}

process.exitCode = await runProcess(main);
