// `npm run conformance:vm [-- --kernel V] [--design D] [--suite D] [--traces N] [--parallel N] [--json]`: the
// conformance suite (oracle/conformance.ts, 660 traces generated from each kernel's design, 60 of them with io_uring requests) on every
// oracle kernel: the VM kernels under QEMU (one boot each) and this machine's. Prints per kernel: traces,
// agreement, seconds; the disagreements, one line each. Exit 1 on a disagreement, 0 otherwise (a kernel
// that cannot be had here is a skip, with the reason).
import { parseArgs } from 'node:util';
import { builtinDesign } from '../model/designs/index.js';
import { compare, predict, type Prediction } from '../oracle/compare.js';
import { conformanceSuite } from '../oracle/conformance.js';
import { OracleUnavailable, runOnKernel, type KernelResult } from '../oracle/executor.js';
import { runOnVm, VM_KERNELS, vmStatus } from '../oracle/vm/vm.js';
import { KERNEL_DESIGN } from '../cli/kernel.js';

const { values } = parseArgs({ options: { kernel: { type: 'string', multiple: true }, design: { type: 'string' }, suite: { type: 'string' }, traces: { type: 'string' }, parallel: { type: 'string' }, json: { type: 'boolean' } } });
const NATIVE = 'native';
const wanted = values.kernel ?? [...VM_KERNELS.map((k) => k.version), NATIVE];
for (const k of wanted) if (k !== NATIVE && !VM_KERNELS.some((v) => v.version === k)) { console.error(`E_USAGE: no oracle kernel ${k}; the kernels are ${VM_KERNELS.map((v) => v.version).join(', ')}, ${NATIVE}`); process.exit(2); }
const limit = values.traces === undefined ? Infinity : Number(values.traces);
const parallel = values.parallel === undefined ? 2 : Number(values.parallel);

interface Figure { key?: string; kernel: string; design: string; traces?: number; agree?: number; seconds?: number; skip?: string; disagreements?: string[] }

/** Every k-th trace, so that a shorter run still spans the suite's parts (bfs, walks, error walks). */
export function spread<T>(xs: readonly T[], n: number): T[] {
  if (n >= xs.length) return [...xs];
  return Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]!);
}

async function one(kernel: string): Promise<Figure> {
  const vm = VM_KERNELS.find((k) => k.version === kernel);
  const dn = values.design ?? vm?.design ?? KERNEL_DESIGN;
  const design = builtinDesign(dn);
  if (!design) return { kernel, design: dn, skip: `no built-in design ${dn}` };
  if (vm) { const st = vmStatus(kernel); if (!st.ok) return { kernel, design: dn, skip: st.reason }; }
  // --suite D: the traces of D's suite, predicted by the design under test (which traces tell two apart).
  const gen = values.suite === undefined ? design : builtinDesign(values.suite);
  if (!gen) return { kernel, design: dn, skip: `no built-in design ${values.suite}` };
  const suite = spread(conformanceSuite(gen), limit);
  const preds: Prediction[] = suite.map((s) => {
    const p = predict(s.name, s.steps, s.bounds, design);
    if (typeof p === 'string') throw new Error(`${s.name}: ${p}`);
    return p;
  });
  const t0 = Date.now();
  let r: KernelResult;
  try { r = vm ? await runOnVm(kernel, preds.map((p) => p.script)) : runOnKernel(preds.map((p) => p.script)); } catch (e) {
    if (e instanceof OracleUnavailable) return { kernel, design: dn, skip: e.message };
    throw e;
  }
  const seconds = (Date.now() - t0) / 1000;
  const name = vm ? kernel : r.header.kernel;
  if (r.header.io_uring !== 'ok') return { kernel: name, design: dn, skip: `io_uring is not usable (${r.header.io_uring_errno ?? '?'})` };
  const disagreements: string[] = [];
  preds.forEach((p, i) => {
    const c = compare(p, r.runs[i]!, r.header, { exactGarbage: vm !== undefined });
    if (!c.agrees) disagreements.push(`${p.script.name}: ${c.steps.filter((s) => s.status === 'disagree').map((s) => `step ${s.index + 1}: ${s.why.join('; ')}`).join(' | ')} ${c.fates.filter((f) => !f.agrees).map((f) => `${f.name} ${f.predicted}/${f.observed}`).join(' ')}`.trim());
  });
  return { kernel: name, design: dn, traces: preds.length, agree: preds.length - disagreements.length, seconds, disagreements };
}

const figures: Figure[] = [];
const queue = [...wanted];
await Promise.all(Array.from({ length: Math.max(1, parallel) }, async () => {
  for (let k = queue.shift(); k !== undefined; k = queue.shift()) figures.push({ ...(await one(k)), key: k });
}));
figures.sort((a, b) => wanted.indexOf(a.key!) - wanted.indexOf(b.key!));
if (values.json) console.log(JSON.stringify(figures, null, 2));
else {
  for (const f of figures) {
    if (f.skip) { console.log(`${f.kernel.padEnd(22)} ${f.design.padEnd(11)} skip: ${f.skip}`); continue; }
    console.log(`${f.kernel.padEnd(22)} ${f.design.padEnd(11)} ${String(f.traces).padStart(4)} traces  ${String(f.agree).padStart(4)} agree  ${f.seconds!.toFixed(1).padStart(6)} s`);
    for (const d of f.disagreements ?? []) console.log(`    ${d}`);
  }
}
process.exit(figures.some((f) => (f.disagreements ?? []).length > 0) ? 1 : 0);
