// The generic search engine: public API.

export * from './model.js';
export * from './checkpoint.js';
export { check, checkAsync, ModelError } from './bfs.js';
export { replayPath } from './replay.js';
export { mergeParts, ownerOf, Sketch, type Partition, type PartitionOutcome, type PartResult, type MergedResult } from './partition.js';
export { simulate, type SimulateOptions, type SimulationResult, type SimulationViolation } from './simulate.js';
export { FingerprintSet, Int32List } from './visited.js';
export { fingerprint, fingerprintPair, fp } from './hash.js';
