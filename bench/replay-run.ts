// One replay in a process of its own, for bench/replay.ts: `node --import=tsx bench/replay-run.ts TRACE`
// runs `inflight replay TRACE` (its output discarded) and prints {"seconds", "peakRssBytes", "code"}.
import { main } from '../cli/main.js';

const t0 = performance.now();
let bytes = 0;
const code = await main(['replay', process.argv[2]!], { out: (s) => { bytes += s.length; }, err: (s) => process.stderr.write(s + '\n'), tty: false, interrupted: () => false });
console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, peakRssBytes: process.resourceUsage().maxRSS * 1024, code, outputChars: bytes }));
