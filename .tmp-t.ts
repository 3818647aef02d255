import { builtinDesign } from './model/designs/index.js';
import { conformanceSuite } from './oracle/conformance.js';
import { formatStep } from './model/apply.js';
import { traceStepToStep } from './traces/build.js';
import { formatResult } from './model/step.js';
const s = conformanceSuite(builtinDesign('linux-6.18')!);
const x = s.find((y) => y.name === process.argv[2])!;
x.steps.forEach((st, i) => console.log(i + 1, st.task, formatStep(traceStepToStep(st)), formatResult(st.result)));
