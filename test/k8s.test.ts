// deploy/k8s: the manifests validate against Kubernetes' own schema (kubernetes-models, generated from
// the Kubernetes OpenAPI definitions), and their fields agree with each other and with inflight's CLI:
// an Indexed Job of N pods running `check --partition N`, a shared volume, a merge Job reading every part.
// The Dockerfile cannot be built here (no Docker on this machine): it is checked as text.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { cli } from './helpers/cli.js';

const read = (f: string): string => readFileSync(new URL(`../deploy/k8s/${f}`, import.meta.url), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;
const docs = (f: string): Doc[] => parseAllDocuments(read(f)).map((d) => {
  if (d.errors.length > 0) throw new Error(`${f}: ${d.errors[0]!.message}`);
  return d.toJS() as Doc;
});

/** Validates one manifest object against the schema of its kind (throws with the schema's message). */
function validate(d: Doc): void {
  if (d.kind === 'Job') new Job(d).validate();
  else if (d.kind === 'PersistentVolumeClaim') new PersistentVolumeClaim(d).validate();
  else throw new Error(`unexpected kind ${String(d.kind)}`);
}

test('the schema check can fail: a Job with a wrong completionMode or no containers is refused', (t) => {
  const [, job] = docs('job.yaml');
  t.throws(() => validate({ ...job, spec: { ...job.spec, completionMode: 'Sharded' } }), { message: /completionMode/ });
  t.throws(() => validate({ ...job, spec: { ...job.spec, template: { spec: {} } } }), { message: /containers/ });
});

test('job.yaml: a volume claim and an Indexed Job of N pods running check --partition N, valid against the schema', async (t) => {
  const all = docs('job.yaml');
  t.deepEqual(all.map((d) => `${d.apiVersion} ${d.kind}`), ['v1 PersistentVolumeClaim', 'batch/v1 Job']);
  for (const d of all) t.notThrows(() => validate(d), d.kind);
  const [claim, job] = all;
  t.is(job.spec.completionMode, 'Indexed');
  t.true(Number.isInteger(job.spec.completions) && job.spec.completions > 1);
  t.is(job.spec.parallelism, job.spec.completions);
  const pod = job.spec.template.spec;
  t.true(['Never', 'OnFailure'].includes(pod.restartPolicy), 'a Job pod restarts Never or OnFailure');
  const c = pod.containers[0];
  const script = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
  const m = /inflight check (.*?)--json/s.exec(script);
  t.truthy(m, 'the pod runs inflight check ... --json');
  t.regex(script, new RegExp(`--partition ${job.spec.completions}\\b`), 'as many parts as completions (the index from JOB_COMPLETION_INDEX)');
  t.regex(script, /\/parts\/part-\$JOB_COMPLETION_INDEX\.json/);
  // The volume: mounted at /parts, backed by the claim.
  const mount = c.volumeMounts.find((v: Doc) => v.mountPath === '/parts');
  const vol = pod.volumes.find((v: Doc) => v.name === mount.name);
  t.is(vol.persistentVolumeClaim.claimName, claim.metadata.name);
  t.true(claim.spec.accessModes.includes('ReadWriteMany'), 'every pod writes to it at once');
  // The options of the part command are inflight's own: run them here on a tiny bound (they must parse).
  const flags = m![1]!.replace(/\\\n/g, ' ').trim().split(/\s+/);
  const at = flags.indexOf('--partition');
  t.true(at >= 0);
  const tiny = [...flags.slice(0, at), '--partition', `0/${job.spec.completions}`, ...flags.slice(at + 2)]
    .map((f, i, a) => (a[i - 1] === '--depth' ? '2' : f));
  const r = await cli(['check', ...tiny, '--json']);
  t.true(r.code === 0 || r.code === 1, r.err);
});

test('merge-job.yaml: a Job that merges every part file on the same claim, valid against the schema', (t) => {
  const [merge] = docs('merge-job.yaml');
  const [claim] = docs('job.yaml');
  t.notThrows(() => validate(merge));
  t.is(merge.kind, 'Job');
  t.is(merge.spec.completionMode, undefined);
  const pod = merge.spec.template.spec;
  const c = pod.containers[0];
  t.regex([...(c.command ?? []), ...(c.args ?? [])].join(' '), /inflight merge \/parts\/part-\*\.json/);
  const vol = pod.volumes.find((v: Doc) => v.name === c.volumeMounts[0].name);
  t.is(vol.persistentVolumeClaim.claimName, claim.metadata.name);
  t.is(c.volumeMounts[0].mountPath, '/parts');
});

test('Dockerfile: from node:20-slim, installs the packed package globally, runs inflight (checked as text: no Docker here)', (t) => {
  const f = read('Dockerfile');
  const from = [...f.matchAll(/^FROM (\S+)/gm)].map((x) => x[1]);
  t.true(from.length >= 1 && from.every((x) => x === 'node:20-slim'), from.join(', '));
  t.regex(f, /^RUN npm pack\b/m);
  t.regex(f, /^RUN npm install --global --omit=dev \/tmp\/inflight\.tgz/m);
  t.regex(f, /^ENTRYPOINT \["inflight"\]/m);
  t.regex(f, /^WORKDIR \/parts/m);
});
