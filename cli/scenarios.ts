// `--scenario NAME|FILE [--variant V]`: a built-in scenario, or a user's .json file (or .ts module whose
// default export is the same object).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveScenario, type Scenario } from '../model/scenario.js';
import { builtinScenario, builtinScenarios, expectProblem } from '../scenarios/index.js';
import { describeThrown } from '../model/design.js';
import { oneLine, UserError } from './errors.js';
import { announce, asUserCodeAsync, bundleModule, importBundle, preloadExternals, snapshotExport, WHERE_LOADING } from './usercode.js';

export async function loadScenario(arg: string, variant?: string): Promise<Scenario> {
  const builtin = builtinScenario(arg, variant);
  if (typeof builtin === 'string') throw new UserError('E_SCENARIO', builtin);
  if (builtin) return builtin;
  const path = resolve(arg);
  if (!existsSync(path)) {
    throw new UserError('E_SCENARIO', `no scenario '${arg}': not built in (see: inflight scenarios) and no such file`);
  }
  let raw: unknown;
  if (/\.(m|c)?[jt]s$/.test(path)) {
    // User code, loaded as a design module is (cli/usercode.ts): bundled, run once, copied into data.
    announce({ file: arg });
    const bundle = await bundleModule(path);
    if ('error' in bundle) throw new UserError('E_SCENARIO', `scenario ${arg} does not load: ${oneLine(bundle.error)}`);
    let exported: unknown;
    try {
      await preloadExternals(bundle.code);
      exported = (await asUserCodeAsync(WHERE_LOADING, () => importBundle(bundle.code))).default;
    } catch (e) {
      throw new UserError('E_SCENARIO', `scenario ${arg} does not load: ${oneLine(describeThrown(e))}`);
    }
    if (exported === undefined) throw new UserError('E_SCENARIO', `scenario ${arg} has no default export (export default defineScenario({...}))`);
    const snap = snapshotExport(exported, 'export default');
    if (typeof snap === 'string') throw new UserError('E_SCENARIO', `scenario ${arg}: ${oneLine(snap)}`);
    raw = snap.value;
  } else {
    try { raw = JSON.parse(readFileSync(path, 'utf8')); } catch (e) {
      throw new UserError('E_SCENARIO', `scenario ${arg} is not JSON: ${oneLine(e instanceof Error ? e.message : String(e))}`);
    }
  }
  const sc = resolveScenario(raw, variant);
  if (typeof sc === 'string') throw new UserError('E_SCENARIO', `${arg}: ${sc}`);
  const bad = expectProblem(sc);
  if (bad !== undefined) throw new UserError('E_SCENARIO', `${arg}: ${bad}`);
  return sc;
}

export const scenarioNames = (): string[] => builtinScenarios().map((s) => s.name);
