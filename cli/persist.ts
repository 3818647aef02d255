// Memory limit parsing and checkpoint files for the CLI.
import { createHash } from 'node:crypto';
import { packageVersion } from './package-json.js';
import { lstatSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { SYSCALLS } from '../model/bounds.js';
import type { Design } from '../model/design.js';
import { builtinDesign } from '../model/designs/index.js';
import * as v from 'valibot';
import { decodeSnapshot, encodeSnapshot, HEADER_ENTRIES, type Snapshot } from '../checker/checkpoint.js';
import { check, jsonPath, obj } from '../model/schema-kit.js';
import { BoundsSchema } from '../traces/format.js';
import { oneLine, UserError } from './errors.js';
import { designCode } from './designs.js';

/** The default --max-memory: three quarters of the machine, so that a run stops cleanly as 'bounded'
 *  before the kernel's OOM killer ends it without a word. */
export const defaultMaxMemory = (): number => Math.floor(totalmem() * 0.75);

/** "512M", "4G", "1.5G", "1000000" (bytes) → bytes. */
export function parseSize(flag: string, raw: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)i?B?$/i.exec(raw.trim());
  if (!m) throw new UserError('E_BOUNDS', `--${flag} expects a size such as 512M or 4G, got '${raw}'`);
  const unit = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes < 64 * 2 ** 20) throw new UserError('E_BOUNDS', `--${flag} ${raw} is below 64M, too little to run at all`);
  return bytes;
}

/** What a checkpoint was made of; a resume with anything else would not end like the interrupted run.
 *  The `meta` of the checkpoint's header (checker/checkpoint.ts): the schema gives readCheckpoint's check
 *  and the published JSON Schema (schemas/checkpoint.schema.json). */
export const CheckpointMetaSchema = obj({
  design: v.pipe(v.string('meta.design is not a string'), v.description('the design checked')),
  designId: v.pipe(v.string('meta.designId is not a string'), v.description('what the design is, beyond its name: an edited module is another design')),
  bounds: v.pipe(BoundsSchema, v.description('the bounds of the search')),
  symmetry: v.boolean('meta.symmetry is not true or false'),
  exact: v.boolean('meta.exact is not true or false'),
  scenario: v.exactOptional(v.pipe(v.string('meta.scenario is not a string'), v.description('the scenario (name/variant) of a scenario run'))),
  properties: v.exactOptional(v.pipe(v.array(v.string('meta.properties is not a list of names'), 'meta.properties is not a list of names'), v.readonly(),
    v.description("the names of the run's own properties (the design's and --properties'), when it has any"))),
}, 'meta is not an object');
export type CheckpointMeta = Readonly<v.InferOutput<typeof CheckpointMetaSchema>>;

/** The checkpoint's header line as the CLI writes it: the checker's header with this `meta`. */
export const CheckpointHeaderSchema = v.pipe(obj({ ...HEADER_ENTRIES, meta: CheckpointMetaSchema }, 'the header is not an object'),
  v.title('inflight checkpoint header'),
  v.description('The JSON header of a checkpoint (`inflight check --checkpoint FILE`): the second line of the file, after `inflight-checkpoint/2 sha256:<hex>` and before the binary arrays.'));

const COVERAGE_LABELS = new Set<string>([...SYSCALLS, 'recvmsg(MSG_PEEK)']);

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

const VERSION = packageVersion();

/** The identity of a design's content. A design module: the SHA-256 of its file's bytes and of the code it
 *  was compiled to (with the modules it imports). A built-in design: its name, inflight's version and its switches (the model's
 *  code is covered by the version only). */
export function designIdentity(designArg: string, design: Design, propertiesCode?: string): string {
  const own = designContent(designArg, design);
  // A --properties module's code is part of what was checked too.
  return propertiesCode === undefined ? own : `${own}, properties sha256:${sha256(propertiesCode)}`;
}

function designContent(designArg: string, design: Design): string {
  if (builtinDesign(designArg) !== undefined) return `built-in ${design.name} of inflight ${VERSION}, switches ${sha256(JSON.stringify(design.switches)).slice(0, 16)}`;
  let bytes: Buffer;
  try { bytes = readFileSync(resolve(designArg)); } catch (e) {
    throw new UserError('E_DESIGN_LOAD', `cannot read design ${designArg}: ${oneLine((e as Error).message)}`);
  }
  // With the code the sandbox compiled (the module and every module it imports, in one bundle), so that
  // an edit to an imported module is another design too.
  const code = designCode(design);
  return `module sha256:${sha256(code === undefined ? bytes : Buffer.concat([bytes, Buffer.from('\0'), Buffer.from(code)]))}`;
}

/** The file operations of checkpoint writing, replaceable by tests (a full disk, a failing rename). */
export const checkpointFs = {
  writeFileSync: writeFileSync as (file: string, data: Uint8Array, opts: { flag: string; mode: number }) => void,
  renameSync: renameSync as (from: string, to: string) => void,
  unlinkSync: unlinkSync as (file: string) => void,
};

const kindOf = (st: Stats): string =>
  st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? 'a directory' : st.isCharacterDevice() ? 'a character device'
    : st.isBlockDevice() ? 'a block device' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'not a regular file';

/** A checkpoint replaces the file at its path: only a regular file or a new path in an existing directory
 *  (never a device, a symlink's target or the link itself, a FIFO …). */
export function checkCheckpointPath(file: string): void {
  let st: Stats | undefined;
  try { st = lstatSync(file); } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError('E_OUTPUT', `cannot use ${file} for checkpoints: ${oneLine((e as Error).message)}`);
  }
  if (st !== undefined) {
    if (!st.isFile()) throw new UserError('E_OUTPUT', `--checkpoint ${file} is ${kindOf(st)}: checkpoints are written only to regular files or new paths`);
    return;
  }
  let dir: Stats | undefined;
  try { dir = statSync(dirname(resolve(file))); } catch { /* below */ }
  if (!dir?.isDirectory()) throw new UserError('E_OUTPUT', `--checkpoint ${file}: the directory ${dirname(file)} does not exist`);
}

/** Writes atomically (a partial file never replaces a good one): a new temporary file (never through a
 *  link left at its name), renamed over the checkpoint; on failure the temporary is removed. */
export function writeCheckpoint(file: string, s: Snapshot, meta: CheckpointMeta): void {
  checkCheckpointPath(file);
  const tmp = `${file}.tmp-${process.pid}`;
  const fs = checkpointFs;
  try {
    try { fs.unlinkSync(tmp); } catch { /* not there: the usual case */ }
    fs.writeFileSync(tmp, encodeSnapshot(s, meta), { flag: 'wx', mode: 0o644 });
    fs.renameSync(tmp, file);
  } catch (e) {
    try { fs.unlinkSync(tmp); } catch { /* never created */ }
    throw new UserError('E_OUTPUT', `cannot write checkpoint ${file}: ${oneLine((e as Error).message)}`);
  }
}

/** Checkpoints of one run. A failed write does not throw inside the search: it is kept in `failure`, the
 *  run stops at once (`stopped`) and the caller prints the partial result before the error. */
export class CheckpointWriter {
  failure: UserError | undefined;
  constructor(readonly file: string, readonly meta: CheckpointMeta) {
    checkCheckpointPath(file);
  }

  readonly stopped = (): boolean => this.failure !== undefined;

  /** Writes `s`; false (and `failure` set) when it could not be written. */
  readonly write = (s: Snapshot): boolean => {
    if (this.failure) return false;
    try { writeCheckpoint(this.file, s, this.meta); return true; } catch (e) {
      if (!(e instanceof UserError)) throw e;
      this.failure = e;
      return false;
    }
  };
}

export function readCheckpoint(file: string, expect: CheckpointMeta): Snapshot {
  let buf: Buffer;
  try {
    // Only a regular file: a device or a FIFO would never end or never begin.
    const st = statSync(file);
    if (!st.isFile()) throw new Error(`it is ${kindOf(st)}`);
    buf = readFileSync(file);
  } catch (e) {
    throw new UserError('E_CHECKPOINT', `cannot read checkpoint ${file}: ${oneLine((e as Error).message)}`);
  }
  const got = decodeSnapshot(buf);
  if (typeof got === 'string') throw new UserError('E_CHECKPOINT', `${file}: ${got}`);
  // The kernel model labels its actions by syscall (model/model.ts): coverage names nothing else.
  const label = got.snapshot.coverage.find((c) => !COVERAGE_LABELS.has(c.label));
  if (label) throw new UserError('E_CHECKPOINT', `${file}: inconsistent checkpoint (coverage of an unknown action ${JSON.stringify(label.label).slice(0, 40)})`);
  const parsed = check(CheckpointMetaSchema, got.meta);
  if (!parsed.ok) throw new UserError('E_CHECKPOINT', `${file}: damaged checkpoint (${jsonPath(['meta', ...parsed.path])}: ${parsed.message})`);
  const meta = parsed.value;
  // The meta as written (not as read: the bounds' defaults filled in), so that nothing the file says is skipped.
  if (JSON.stringify(got.meta) !== JSON.stringify(expect)) {
    if (meta.design === expect.design && meta.designId !== expect.designId) {
      throw new UserError('E_CHECKPOINT', `${file} was made with another version of design ${meta.design} (${meta.designId}; now ${expect.designId}): start the run again`);
    }
    const what = `design ${meta.design}, bounds ${JSON.stringify(got.meta && (got.meta as { bounds?: unknown }).bounds)}, symmetry ${meta.symmetry}, exact ${meta.exact}${meta.scenario !== undefined ? `, scenario ${meta.scenario}` : ''}`;
    throw new UserError('E_CHECKPOINT', `${file} was made with ${what}: resume with the same design and options`);
  }
  return got.snapshot;
}
