// The filelife model as a model factory (checker/model.ts `ModelFactory`): each worker of a parallel
// search imports this module and calls `createModel` with the same params.
import type { ModelSpec } from '../checker/model.js';
import { CONFIGS, createFileLife, type ConfigName, type FileLifeAction, type FileLifeConfig, type FileLifeState } from './filelife.js';

export interface FileLifeParams {
  /** A named configuration, or the constants themselves. */
  readonly config: ConfigName | FileLifeConfig;
}

export function createModel(params: FileLifeParams): ModelSpec<FileLifeState, FileLifeAction> {
  const cfg = typeof params.config === 'string' ? CONFIGS[params.config] : params.config;
  if (cfg === undefined) throw new Error(`filelife: unknown configuration ${String(params.config)}`);
  const model = createFileLife(cfg);
  return { model, properties: model.properties };
}
