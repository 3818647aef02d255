// `npm run bench -- --vs-spin [--json]`: filelife config A (fixed, depth <= 8) explored by SPIN's exhaustive
// BFS (compiled C, full state vectors: the shared bench's reference) and by inflight's checker, one after
// the other in one run, and the ratio of their distinct states per second. SPIN comes from Debian
// (`apt-get install spin`); its pan is compiled once with gcc and kept in node_modules/.cache/inflight.
// The SPIN time is its own "elapsed time" (the search, not the compile); inflight's is the search's.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { check } from '../checker/bfs.js';
import { CONFIGS, createFileLife } from './filelife.js';

const json = process.argv.includes('--json');
const say = (s: string): void => { if (!json) console.log(s); };

function fail(msg: string): never {
  console.error(`bench --vs-spin: ${msg}`);
  process.exit(2);
}

const which = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
if (!which('spin')) fail('SPIN is not installed (Debian: apt-get install spin)');
if (!which('gcc')) fail('gcc is not installed');

const pml = fileURLToPath(new URL('./spin/filelife-A.pml', import.meta.url));
const text = readFileSync(pml);
const cache = fileURLToPath(new URL(`../node_modules/.cache/inflight/spin-${createHash('sha256').update(text).digest('hex').slice(0, 12)}/`, import.meta.url));
const pan = cache + 'pan_bfs';
if (!existsSync(pan)) {
  say('compiling SPIN\'s verifier for filelife A (spin -a, gcc -O2 -DBFS; once, about 20 s) …');
  mkdirSync(cache, { recursive: true });
  writeFileSync(cache + 'm.pml', text);
  execFileSync('spin', ['-a', 'm.pml'], { cwd: cache, stdio: 'ignore' });
  execFileSync('gcc', ['-O2', '-DBFS', '-DNOREDUCE', '-DSAFETY', '-o', 'pan_bfs', 'pan.c'], { cwd: cache, stdio: 'ignore' });
}

const uptime = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadBefore = uptime();

// SPIN first.
const spinRun = spawnSync(pan, ['-m8', '-w22'], { cwd: cache, encoding: 'utf8' });
const out = spinRun.stdout + spinRun.stderr;
const stored = /(\d+) states, stored/.exec(out);
const elapsed = /elapsed time ([\d.e+-]+) seconds/.exec(out);
const memory = /([\d.]+)\s+total actual memory usage/.exec(out);
if (!stored || !elapsed) fail(`could not read SPIN's output:\n${out}`);
const spin = { distinct: Number(stored[1]), seconds: Number(elapsed[1]), memoryMB: memory ? Number(memory[1]) : undefined };

// inflight, in this process (the compact frontier, as `npm run bench -- filelife A`).
const m = createFileLife(CONFIGS.A);
const r = check(m, { properties: m.properties, maxDepth: CONFIGS.A.MaxDepth, compact: true });
const ours = { distinct: r.stats.distinct, seconds: r.stats.seconds };
if (ours.distinct !== spin.distinct) fail(`distinct states differ: SPIN ${spin.distinct}, inflight ${ours.distinct}`);

const spinRate = spin.distinct / spin.seconds;
const ourRate = ours.distinct / ours.seconds;
const result = {
  config: 'A', distinct: ours.distinct,
  spin: { seconds: spin.seconds, statesPerSecond: Math.round(spinRate), ...(spin.memoryMB !== undefined ? { memoryMB: spin.memoryMB } : {}) },
  inflight: { seconds: Number(ours.seconds.toFixed(3)), statesPerSecond: Math.round(ourRate), peakRssBytes: process.resourceUsage().maxRSS * 1024 },
  ratio: Number((ourRate / spinRate).toFixed(2)),
  load: { before: loadBefore, after: uptime() },
};
if (json) console.log(JSON.stringify(result));
else {
  say(`filelife A (depth <= 8): ${ours.distinct.toLocaleString('en-US')} distinct states in both`);
  say(`  SPIN BFS   ${spin.seconds.toFixed(2)} s  ${Math.round(spinRate).toLocaleString('en-US')} states/s${spin.memoryMB !== undefined ? `  ${spin.memoryMB} MB` : ''}`);
  say(`  inflight   ${ours.seconds.toFixed(2)} s  ${Math.round(ourRate).toLocaleString('en-US')} states/s  peak RSS ${(result.inflight.peakRssBytes / 2 ** 20).toFixed(0)} MB`);
  say(`  ratio      ×${result.ratio} (inflight / SPIN, distinct states per second; load ${loadBefore} → ${result.load.after})`);
}
