// `inflight merge`: bad merges are refused in one line with exit 2 (a missing, duplicated, foreign,
// truncated or edited part); `check --partition` flags; `simulate --swarm` parts and their merge.
// (Merged verdicts against the single run: test/merge-kernel.test.ts.)
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';
import { partFiles as partsIn } from './helpers/parts.js';
import { sha256 } from '../cli/part-file.js';

/** Re-seals an edited part document, as a crafted file would be. */
const reseal = (doc: Record<string, unknown>): string => {
  const { checksum: _, ...body } = doc;
  return JSON.stringify({ ...body, checksum: `sha256:${sha256(JSON.stringify(body))}` });
};

const dir = mkdtempSync(join(tmpdir(), 'inflight-merge-'));

const partFiles = (args: string[], n: number, tag: string): Promise<string[]> => partsIn(dir, args, n, tag);

test('bad merges are refused in one line with exit 2: missing, duplicated, foreign, truncated, edited, not a part', async (t) => {
  const files = await partFiles(['--design', 'seed-2019', '--depth', '4'], 3, 'bad');
  const other = await partFiles(['--design', 'seed-2019', '--depth', '3'], 3, 'other');
  const otherDesign = await partFiles(['--design', 'linux-6.18', '--depth', '4'], 3, 'otherdesign');
  const refused = async (argv: string[], pattern: RegExp): Promise<void> => {
    const r = await cli(['merge', ...argv]);
    t.is(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    t.regex(r.err, pattern);
    t.is(r.err.split('\n').length, 1, 'one line');
    t.is(r.out, '');
  };
  await refused([files[0]!, files[2]!], /E_MERGE: part 1 of 3 is missing/);
  await refused([files[0]!, files[1]!, files[1]!, files[2]!], /E_MERGE: .*bad-3-1\.json and .*bad-3-1\.json are both part 1 of 3/);
  await refused([files[0]!, files[1]!, other[2]!], /E_MERGE: .*other-3-2\.json is a part of another search .*bounds/);
  await refused([files[0]!, files[1]!, otherDesign[2]!], /E_MERGE: .*otherdesign-3-2\.json is a part of another search .*design/);
  const text = readFileSync(files[1]!, 'utf8');
  const truncated = join(dir, 'truncated.json');
  writeFileSync(truncated, text.slice(0, Math.floor(text.length / 2)));
  await refused([files[0]!, truncated, files[2]!], /E_MERGE: .*truncated\.json is not JSON \(truncated\?\)/);
  // Edits that keep the JSON valid: a count changed; a verdict changed.
  const edited = join(dir, 'edited.json');
  const doc = JSON.parse(text) as { part: { result: { stats: { distinct: number }; properties: { status: string }[] } } };
  doc.part.result.stats.distinct += 1;
  writeFileSync(edited, JSON.stringify(doc, null, 2));
  await refused([files[0]!, edited, files[2]!], /E_MERGE: .*edited\.json: the checksum does not match: the file was truncated or edited/);
  const doc2 = JSON.parse(text) as typeof doc;
  doc2.part.result.properties[0]!.status = 'holds';
  writeFileSync(edited, JSON.stringify(doc2));
  await refused([files[0]!, edited, files[2]!], /E_MERGE: .*edited\.json: the checksum does not match: the file was truncated or edited/);
  const plain = join(dir, 'plain.json');
  writeFileSync(plain, (await cli(['check', '--design', 'seed-2019', '--depth', '4', '--json'])).out);
  await refused([plain], /E_MERGE: .*plain\.json is not a part file/);
  await refused([join(dir, 'nowhere.json')], /E_MERGE: cannot read/);
  await refused([], /E_USAGE: merge needs the part files/);
  // Mixing a swarm part into a check's parts.
  const swarm = join(dir, 'swarm.json');
  writeFileSync(swarm, (await cli(['simulate', '--design', 'seed-2019', '--runs', '5', '--swarm', '2/3', '--json'])).out);
  await refused([files[0]!, files[1]!, swarm], /E_MERGE: .*swarm\.json is a part of another search .*kind/);
  // The three good parts do merge.
  const good = await cli(['merge', ...files]);
  t.is(good.code, 0, good.err);
  t.regex(good.out, /gc-releases-cycle +found \(4 steps\)/);
});

test('--partition: bad specs and combinations are refused in one line; N alone takes JOB_COMPLETION_INDEX', async (t) => {
  for (const [args, pattern] of [
    [['--partition', '3/3'], /E_PARTITION: --partition 3\/3: the part index must be from 0 to 2, got 3/],
    [['--partition', 'a/b'], /E_PARTITION: --partition expects I\/N/],
    [['--partition', '0/0'], /E_PARTITION: .*number of parts/],
    [['--partition', '0/2', '--workers', '2'], /E_PARTITION: --partition cannot be combined with --workers/],
    [['--split-depth', '2'], /E_USAGE: --split-depth goes with --partition/],
  ] as [string[], RegExp][]) {
    const r = await cli(['check', '--design', 'seed-2019', '--depth', '3', ...args]);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.err, pattern);
  }
  const saved = process.env['JOB_COMPLETION_INDEX'];
  try {
    delete process.env['JOB_COMPLETION_INDEX'];
    const r = await cli(['check', '--design', 'seed-2019', '--depth', '3', '--partition', '2']);
    t.regex(r.err, /E_PARTITION: --partition 2 takes the part's index from JOB_COMPLETION_INDEX, which is not set/);
    process.env['JOB_COMPLETION_INDEX'] = '1';
    const ok = await cli(['check', '--design', 'seed-2019', '--depth', '3', '--partition', '2', '--json']);
    t.is((JSON.parse(ok.out) as { part: { index: number; search: { count: number } } }).part.index, 1);
  } finally {
    if (saved === undefined) delete process.env['JOB_COMPLETION_INDEX']; else process.env['JOB_COMPLETION_INDEX'] = saved;
  }
});

test('simulate --swarm: parts differ in seed, walk length and step order; merged, the shortest violation over the parts, replay-checked', async (t) => {
  const files: string[] = [];
  const parts = [];
  for (let i = 0; i < 3; i++) {
    const r = await cli(['simulate', '--design', 'seed-2019', '--runs', '200', '--seed', '7', '--swarm', `${i}/3`, '--json']);
    const f = join(dir, `swarm-${i}.json`);
    writeFileSync(f, r.out);
    files.push(f);
    parts.push(JSON.parse(r.out) as { part: { result: { seed: number; depth: number; violation?: { path: { steps: number[] } } } } });
  }
  t.is(new Set(parts.map((p) => p.part.result.seed)).size, 3);
  t.is(new Set(parts.map((p) => p.part.result.depth)).size, 3);
  const m = await cli(['merge', ...files, '--json']);
  const j = JSON.parse(m.out) as { violation?: { property: string; trace: { steps: unknown[] } }; runs: number };
  const lengths = parts.flatMap((p) => (p.part.result.violation ? [p.part.result.violation.path.steps.length] : []));
  t.true(lengths.length > 0, 'some part finds the leak');
  t.is(m.code, 1);
  t.is(j.violation!.trace.steps.length, Math.min(...lengths));
  t.is(j.violation!.property, 'no-leak');
  // Part 0 is the plain simulation with the same seed.
  const plain = JSON.parse((await cli(['simulate', '--design', 'seed-2019', '--runs', '200', '--seed', '7', '--json'])).out) as { runs: number; seed: number };
  t.is(plain.seed, parts[0]!.part.result.seed);
});

test('a re-sealed part with a forged counterexample fails the replay check; parts of another inflight version are refused', async (t) => {
  const [only] = await partFiles(['--design', 'seed-2019', '--depth', '5'], 1, 'forged');
  const doc = JSON.parse(readFileSync(only!, 'utf8')) as Record<string, any>;
  t.is((await cli(['merge', only!])).code, 1, 'the genuine part merges (no-leak violated)');
  const leak = (doc['part'].result.properties as { name: string; path: { steps: number[] } }[]).find((p) => p.name === 'no-leak')!;
  leak.path.steps = leak.path.steps.slice(0, -1);
  const forged = join(dir, 'forged.json');
  writeFileSync(forged, reseal(doc));
  const r = await cli(['merge', forged]);
  t.is(r.code, 2);
  t.regex(r.err, /E_MERGE: the counterexample for no-leak in .*forged\.json does not replay to no-leak on this model/);
  const old = JSON.parse(readFileSync(only!, 'utf8')) as Record<string, any>;
  old['part'].search.inflight = '0.0.1';
  writeFileSync(forged, reseal(old));
  const v = await cli(['merge', forged]);
  t.is(v.code, 2);
  t.regex(v.err, /E_MERGE: the parts were made by inflight 0\.0\.1, this is inflight /);
});
