// Part files: what one part of a partitioned search (`check --partition I/N`) or of a swarm
// (`simulate --swarm I/N`) writes with --json, for `inflight merge`. The file is the usual --json result
// with two more members:
//   part      { format: 'inflight-part', version: 1, search: {...}, index, result: {...} }
//             `search` says which search this is a part of (kind, design and its identity, the model's
//             digest, bounds, options, limits, the inflight version, the number of parts): equal in every
//             part of one search. `result` is what the merge needs (verdicts with their paths, counts,
//             coverage, the split and its sketch; or, for a swarm, the walk figures and the violation).
//   checksum  'sha256:' + the SHA-256 of JSON.stringify of the document without its checksum (JSON.parse
//             keeps the members' order, so the reader recomputes it exactly): truncation and edits show.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { packageVersion } from './package-json.js';
import { resolve } from 'node:path';
import { checkPartition } from '../checker/partition.js';
import type { Bounds } from '../model/bounds.js';
import { builtinDesign } from '../model/designs/index.js';
import type { Design } from '../model/design.js';
import { oneLine, UserError } from './errors.js';

export const PART_FORMAT = 'inflight-part';
export const PART_VERSION = 1;

/** `--partition I/N`, or `--partition N` with I from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job sets
 *  it in each pod); the same for `--swarm`. */
export function parsePartition(flag: string, raw: unknown, env: NodeJS.ProcessEnv = process.env): { index: number; count: number } | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw);
  let index: number;
  let count: number;
  const both = /^(\d+)\/(\d+)$/.exec(text);
  if (both) {
    index = Number(both[1]);
    count = Number(both[2]);
  } else if (/^\d+$/.test(text)) {
    count = Number(text);
    const fromEnv = env['JOB_COMPLETION_INDEX'];
    if (fromEnv === undefined) throw new UserError('E_PARTITION', `--${flag} ${text} takes the part's index from JOB_COMPLETION_INDEX, which is not set: give --${flag} I/${text}`);
    if (!/^\d+$/.test(fromEnv)) throw new UserError('E_PARTITION', `JOB_COMPLETION_INDEX must be a whole number, got '${fromEnv}'`);
    index = Number(fromEnv);
  } else {
    throw new UserError('E_PARTITION', `--${flag} expects I/N (part I of N, I from 0 to N-1) or N (I from JOB_COMPLETION_INDEX), got '${text}'`);
  }
  const bad = checkPartition(index, count);
  if (bad) throw new UserError('E_PARTITION', `--${flag} ${text}: ${bad}`);
  return { index, count };
}

let version: string | undefined;
export function inflightVersion(): string {
  version ??= packageVersion();
  return version;
}

/** A design as the merge must find it again: by name if built in, else by its file and the file's hash. */
export function designIdentity(arg: string, design: Design): { name: string; file?: string; sha256?: string } {
  if (builtinDesign(design.name) === design) return { name: design.name };
  const file = resolve(arg);
  return { name: design.name, file: arg, sha256: sha256(readFileSync(file)) };
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** What every part of one check search shares. */
export interface CheckSearch {
  readonly kind: 'check';
  readonly inflight: string;
  readonly design: { name: string; file?: string; sha256?: string };
  readonly modelDigest: string;
  readonly bounds: Bounds;
  readonly symmetry: boolean;
  readonly exact: boolean;
  readonly scenario: { name: string; variant: string | null } | null;
  readonly maxStates: number | null;
  readonly maxSeconds: number | null;
  readonly splitDepth: number | null;
  readonly perPart: number;
  readonly count: number;
}

/** What every part of one swarm shares. */
export interface SimulateSearch {
  readonly kind: 'simulate';
  readonly inflight: string;
  readonly design: { name: string; file?: string; sha256?: string };
  readonly modelDigest: string;
  readonly bounds: Bounds;
  readonly depth: number;
  readonly runs: number;
  readonly seed: number;
  readonly count: number;
}

export type Search = CheckSearch | SimulateSearch;

/** The document with its checksum. */
export function seal(doc: object, part: { search: Search; index: number; result: object }): object {
  const body = { ...doc, part: { format: PART_FORMAT, version: PART_VERSION, ...part } };
  return { ...body, checksum: `sha256:${sha256(JSON.stringify(body))}` };
}

export interface ReadPart {
  readonly file: string;
  readonly search: Search;
  readonly index: number;
  readonly result: Record<string, unknown>;
}

/** Reads and verifies one part file; a one-line E_MERGE otherwise. */
export function readPart(file: string): ReadPart {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new UserError('E_MERGE', `cannot read ${file}: ${oneLine((e as Error).message)}`);
  }
  let doc: unknown;
  try { doc = JSON.parse(text); } catch {
    throw new UserError('E_MERGE', `${file} is not JSON (truncated?): write each part with --json, unchanged`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UserError('E_MERGE', `${file} is not a part file (not a JSON object)`);
  const { checksum, ...body } = doc as Record<string, unknown>;
  const part = body['part'] as Record<string, unknown> | undefined;
  if (typeof part !== 'object' || part === null || part['format'] !== PART_FORMAT) {
    throw new UserError('E_MERGE', `${file} is not a part file: it was not written by check --partition or simulate --swarm with --json`);
  }
  if (part['version'] !== PART_VERSION) throw new UserError('E_MERGE', `${file} is a part file of format version ${String(part['version'])}; this inflight reads version ${PART_VERSION}`);
  if (typeof checksum !== 'string' || checksum !== `sha256:${sha256(JSON.stringify(body))}`) {
    throw new UserError('E_MERGE', `${file}: the checksum does not match: the file was truncated or edited`);
  }
  const search = part['search'] as Search;
  if (typeof part['index'] !== 'number' || typeof search !== 'object' || search === null || typeof search.count !== 'number' ||
      typeof part['result'] !== 'object' || part['result'] === null) {
    throw new UserError('E_MERGE', `${file}: the part block is incomplete`);
  }
  return { file, search, index: part['index'], result: part['result'] as Record<string, unknown> };
}

/** The first member in which two searches differ, in words. */
export function searchDifference(a: Search, b: Search): string | undefined {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const k of keys) {
    const x = JSON.stringify((a as unknown as Record<string, unknown>)[k]);
    const y = JSON.stringify((b as unknown as Record<string, unknown>)[k]);
    if (x !== y) return `${k} ${x ?? 'absent'} vs ${y ?? 'absent'}`;
  }
  return undefined;
}
