// The entry point of a parallel search's worker threads (checker/parallel.ts). On Node 20 the loader
// hooks of `--import=tsx` do not reach worker threads, so the worker registers tsx itself and then loads
// the TypeScript worker (and, through it, the model factory module, which may be TypeScript too).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
