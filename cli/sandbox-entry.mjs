// The entry point of the sandbox thread (cli/sandbox.ts). On Node 20 the loader hooks of `--import=tsx`
// (or of bin/inflight.mjs's register()) do not reach worker threads, so the thread registers tsx itself
// before it loads the TypeScript CLI.
import { register } from 'tsx/esm/api';

register();
await import('./sandbox-worker.ts');
