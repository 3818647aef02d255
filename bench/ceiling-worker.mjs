// A thread of `npm run bench -- --ceiling` (bench/ceiling.ts): one single-thread search of filelife A.
// Registers tsx itself (its loader hooks do not reach worker threads on Node 20).
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { check } = await import('../checker/bfs.ts');
const { CONFIGS, createFileLife } = await import('./filelife.ts');
const model = createFileLife(CONFIGS.A);
const r = check(model, { properties: model.properties, maxDepth: CONFIGS.A.MaxDepth, compact: true });
parentPort.postMessage({ distinct: r.stats.distinct, seconds: r.stats.seconds });
