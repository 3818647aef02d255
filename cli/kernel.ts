// `inflight kernel TRACE.json [--design NAME|FILE.ts] [--vm VERSION] [--json]`: replay a trace on the
// running kernel (oracle/executor.c), or on another kernel booted under QEMU (oracle/vm), and compare
// every step, and every file's fate, with the design's predictions.
import { formatStep } from '../model/apply.js';
import { formatResult } from '../model/step.js';
import { actorName } from '../traces/text.js';
import { compare, fmtKernel, predict } from '../oracle/compare.js';
import { fdsOutsideTable, OracleUnavailable, runOnKernel, type KernelResult } from '../oracle/executor.js';
import { runOnVm, VM_KERNELS, vmKernel, vmStatus } from '../oracle/vm/vm.js';
import { loadDesign } from './designs.js';
import { UserError } from './errors.js';
import type { Parsed } from './command.js';
import type { Io } from './kit.js';
import { readTraceFile } from './trace-file.js';

/** The steps the executor does not make, and why. */
const NOT_MADE: ReadonlyMap<string, string> = new Map();

/** The design that matches this machine's kernel. */
export const KERNEL_DESIGN = 'linux-6.18';

export async function cmdKernel({ values, positionals }: Parsed, io: Io): Promise<number> {
  const file = positionals[0];
  if (file === undefined) throw new UserError('E_USAGE', 'kernel needs a trace file: inflight kernel trace.json');
  const vmVersion = typeof values['vm'] === 'string' ? values['vm'] : undefined;
  const vm = vmVersion === undefined ? undefined : vmKernel(vmVersion);
  if (vmVersion !== undefined && !vm) throw new UserError('E_USAGE', `--vm: no oracle kernel ${JSON.stringify(vmVersion).slice(0, 40)}; the kernels are ${VM_KERNELS.map((k) => k.version).join(', ')}`);
  const trace = readTraceFile(file);
  // Steps oracle/executor.c cannot make: without them the run would go on from another state than the
  // trace's, and its verdicts would say nothing (it used to answer EINVAL for them, as if from the kernel).
  const cannot = trace.steps.findIndex((s) => NOT_MADE.has(s.syscall));
  if (cannot >= 0) {
    const s = trace.steps[cannot]!;
    throw new UserError('E_KERNEL_UNSUPPORTED', `${file}: step ${cannot + 1} (${s.syscall}) cannot be made by the kernel oracle yet (${NOT_MADE.get(s.syscall)!}); \`inflight repro\` makes this trace as a C program`);
  }
  const design = await loadDesign(typeof values['design'] === 'string' ? values['design'] : vm?.design ?? KERNEL_DESIGN);
  const p = predict(file, trace.steps, trace.bounds, design);
  if (typeof p === 'string') throw new UserError('E_TRACE_INVALID', `${file}: ${p}`);
  if (p.notMade) throw new UserError('E_KERNEL_UNSUPPORTED', `${file}: step ${p.notMade.index + 1} (${formatStep(p.steps[p.notMade.index]!)}) cannot be made by the kernel oracle: ${p.notMade.why}`);
  // A trace's fds go to the executor only when they name slots of the trace's table: its own fds (the
  // command pipes at 600...) are out of reach, and no number is read as another (1e21 as 1).
  p.steps.forEach((s, i) => {
    const why = fdsOutsideTable(s, trace.bounds.fds);
    if (why) throw new UserError('E_KERNEL_UNSUPPORTED', `${file}: step ${i + 1} (${formatStep(s)}) cannot be made by the kernel oracle: ${why}`);
  });
  if (vm) {
    const st = vmStatus(vm.version);
    if (!st.ok) throw new UserError('E_KERNEL_UNAVAILABLE', `--vm ${vm.version}: ${st.reason}`);
  }
  let result: KernelResult;
  try { result = vm ? await runOnVm(vm.version, [p.script]) : runOnKernel([p.script]); } catch (e) {
    if (e instanceof OracleUnavailable) throw new UserError('E_KERNEL', e.message);
    throw e;
  }
  const run = result.runs[0]!;
  // In a VM nothing but the trace triggers the GC: what an explicit GC step collects is compared exactly.
  const c = compare(p, run, result.header, { exactGarbage: vm !== undefined });
  const kernelName = vm ? `${vm.version} (QEMU, ${result.header.kernel})` : result.header.kernel;
  if (values['json'] === true) {
    io.out(JSON.stringify({
      kernel: result.header.kernel, ...(vm ? { vm: vm.version } : {}), io_uring: result.header.io_uring, design: design.name,
      verdict: c.unsupported ? 'unsupported' : c.agrees ? 'agree' : 'disagree', disagreements: c.disagreements,
      steps: c.steps.map((s) => ({ step: s.index + 1, model: s.model, kernel: s.kernel, status: s.status, ...(s.why.length ? { why: s.why } : {}) })),
      fates: c.fates, ms: result.ms,
    }, null, 2));
  } else {
    const out: string[] = [
      `kernel ${kernelName} (io_uring ${result.header.io_uring}) against design ${design.name}: ${file} (${trace.steps.length} steps)`,
    ];
    if (!vm && typeof values['design'] !== 'string' && !/^6\.18(\.|$)/.test(result.header.kernel)) {
      out.push(`note: no built-in design was measured against Linux ${result.header.kernel}; ${KERNEL_DESIGN} is the closest`);
    }
    out.push('');
    c.steps.forEach((s) => {
      const st = trace.steps[s.index]!;
      const mark = s.status === 'agree' ? 'ok  ' : s.status === 'unsupported' ? 'n/a ' : 'DIFF';
      out.push(`${mark} ${String(s.index + 1).padStart(3)}. ${actorName(st.task)} ${formatStep(p.steps[s.index]!)}  model ${formatResult(s.model)}  kernel ${fmtKernel(s.kernel)}`);
      for (const w of s.why) out.push(`           ${s.status === 'unsupported' ? '' : 'step ' + String(s.index + 1) + ': '}${w}`);
    });
    out.push('', vm
      ? 'fates at the end (garbage = unreachable, waiting for a GC trigger: either observation agrees; at an explicit GC step the VM kernel must collect exactly what the model does):'
      : 'fates at the end (garbage = unreachable, waiting for a GC trigger: either observation agrees):');
    for (const f of c.fates) out.push(`${f.agrees ? 'ok  ' : 'DIFF'} ${f.name}: model ${f.predicted}, kernel ${f.observed}`);
    out.push('');
    if (c.unsupported) out.push(`unsupported: io_uring is not usable here (${result.header.io_uring_errno ?? 'blocked'}); nothing was compared`);
    else if (c.agrees) out.push(`agree: the kernel did what ${design.name} predicts at all ${trace.steps.length} steps and for all ${c.fates.length} files`);
    else {
      const first = c.steps.find((s) => s.status === 'disagree');
      out.push(`disagree: ${c.disagreements} difference(s)${first ? `, first at step ${first.index + 1}` : ''} (kernel ${kernelName}, design ${design.name})`);
    }
    io.out(out.join('\n'));
  }
  return c.unsupported ? 0 : c.agrees ? 0 : 1;
}
