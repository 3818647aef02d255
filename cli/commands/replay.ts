// inflight replay: re-run a saved trace against a design (default: the trace's own).
import { formatStep } from '../../model/apply.js';
import { formatResult } from '../../model/step.js';
import { propertyByName, SCENARIO_PROPERTIES } from '../../properties/index.js';
import { traceStepToStep } from '../../traces/build.js';
import { replayTrace } from '../../traces/replay.js';
import { actorName, renderStepLines } from '../../traces/text.js';
import type { Command } from '../command.js';
import { EXIT, opt } from '../common.js';
import { loadDesign, traceDesign } from '../designs.js';
import { UserError } from '../errors.js';
import { replayCannotMakeJson, replayJson } from '../json-results.js';
import { designWithPropertiesFlag } from '../properties.js';
import { cannotMakeStep, readTraceFile, traceProperty } from '../trace-file.js';

export const replay: Command = {
  name: 'replay',
  summary: "re-run a saved trace against a design (default: the trace's own)",
  usage: ['inflight replay TRACE.json [--design NAME|FILE.ts] [--json] [--full] [--properties FILE.ts]'],
  description: ['Exit 1 when a property is violated along the trace, or the design cannot make one of its steps.'],
  options: {
    design: opt.design('the design to replay against (default: the one that made the trace)'),
    json: opt.json('each step (recorded and actual result), the findings, the witness reached or not'),
    full: opt.full(),
    properties: opt.properties(),
  },
  positionals: 1,
  examples: ['inflight replay leak.json', 'inflight replay leak.json --design viro-2019', 'inflight replay uaf.json --json'],
  run: async ({ values, positionals }, io) => {
    const file = positionals[0];
    if (file === undefined) throw new UserError('E_USAGE', 'replay needs a trace file: inflight replay trace.json');
    const trace = readTraceFile(file);
    const { design } = await designWithPropertiesFlag(typeof values['design'] === 'string' ? await loadDesign(values['design']) : await traceDesign(trace.design), values['properties']);
    traceProperty(file, trace, design);
    // No world is kept: the text of each step is made as the replay goes (a long trace's worlds fill memory).
    const r = replayTrace(trace, design, { keepWorlds: false, ...(values['json'] === true ? {} : { details: values['full'] === true ? 'full' : 'changes' }) });
    if (r.impossibleAt !== undefined) {
      // Impossible in the trace's own design too: the trace is wrong. Otherwise an answer about this design.
      const { invalid, message: line } = cannotMakeStep(file, trace, design, r.impossibleAt);
      if (invalid) throw new UserError('E_TRACE_INVALID', line);
      io.out(values['json'] === true
        ? JSON.stringify(replayCannotMakeJson(design, trace, r.impossibleAt, line), null, 2)
        : line);
      return EXIT.violated;
    }
    const violated = r.findings.filter((f) => f.kind === 'always');
    // A witness's trace (check --trace-out --trace-of): is its witness reached again?
    const isWitness = (propertyByName(trace.property) ?? design.properties?.find((p) => p.name === trace.property))?.kind === 'sometimes';
    const reached = isWitness ? r.findings.find((f) => f.property === trace.property) : undefined;
    if (values['json'] === true) {
      io.out(JSON.stringify(replayJson(design, trace, r, isWitness ? { reached } : undefined), null, 2));
    } else {
      const out: string[] = [`replaying ${file} (${trace.steps.length} steps, made with ${trace.design} for ${isWitness ? 'the witness ' : ''}${trace.property}) against design ${design.name}`, ''];
      out.push(renderStepLines(trace.steps.slice(0, r.made).map((s, i) => ({ ...s, result: r.steps[i]!.actual ?? s.result })), (i) => r.details![i]!));
      r.steps.forEach((s, i) => {
        if (s.agrees || !s.actual) return;
        const st = trace.steps[i]!;
        out.push(`  step ${i + 1}: ${actorName(st.task)} ${formatStep(traceStepToStep(st))} returns ${formatResult(s.actual)} here; the trace recorded ${formatResult(s.recorded)}`);
      });
      out.push('');
      if (violated.length === 0) out.push(`no property is violated along this trace under ${design.name}`);
      for (const f of r.findings) out.push(`${f.kind === 'always' ? 'violated' : 'witness'}: ${f.property} after step ${f.step}: ${f.message}`);
      if (isWitness) out.push(reached ? `the trace's witness ${trace.property} is reached after step ${reached.step} under ${design.name}`
        : `the trace's witness ${trace.property} is not reached along this trace under ${design.name}${SCENARIO_PROPERTIES.some((p) => p.name === trace.property) && !trace.programs ? ' (the trace carries no "programs" to check it against)' : ''}`);
      io.out(out.join('\n'));
    }
    return violated.length > 0 ? EXIT.violated : EXIT.ok;
  },
};
