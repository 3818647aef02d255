// The sandbox thread (cli/sandbox.ts explains why): runs one command with the main thread's arguments and
// sends its output, the exit status, and what it learns of the user code it loads.
import { parentPort, setEnvironmentData, workerData } from 'node:worker_threads';
import { describeThrown } from '../model/design.js';
import { main } from './main.js';
import { markSandboxed, type FromSandbox, type SandboxData } from './sandbox.js';
import { setAnnouncer, W_STOP, WATCH_KEY } from './usercode.js';

const data = workerData as SandboxData;
const port = parentPort!;
const send = (m: FromSandbox): void => port.postMessage(m);
const words = new Int32Array(data.watch);

markSandboxed();
// The workers of a parallel search started from here inherit the watch words.
setEnvironmentData(WATCH_KEY, data.watch);
setAnnouncer((a) => send({ kind: 'announce', a }));
// A promise the design rejected and never handled changes no verdict: said, not fatal (Node's own answer
// depends on its flags and on the moment it notices).
process.on('unhandledRejection', (e) => {
  send({ kind: 'err', text: `inflight: warning: the design left a rejected promise unhandled: ${describeThrown(e).replace(/\s*\n\s*/g, ' ')}` });
});

try {
  const code = await main(data.argv, {
    out: (text) => send({ kind: 'out', text }),
    err: (text) => send({ kind: 'err', text }),
    tty: data.tty,
    colour: data.colour,
    ...(data.columns !== undefined ? { columns: data.columns } : {}),
    interrupted: () => Atomics.load(words, W_STOP) === 1,
  });
  send({ kind: 'done', code });
} catch (e) {
  send({ kind: 'crash', stack: e instanceof Error ? e.stack ?? e.message : String(e) });
}
