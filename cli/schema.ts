// `inflight schema trace|scenario|checkpoint`: the JSON Schema of a file format, made from the valibot
// schema that inflight's own reader of that format uses (traces/format.ts, model/scenario.ts,
// checker/checkpoint.ts with cli/persist.ts's meta). `npm run schemas` writes the same into schemas/.
import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { ScenarioSchema, SCENARIO_FORMAT } from '../model/scenario.js';
import { TRACE_FORMAT, TraceSchema } from '../traces/format.js';
import { CheckpointHeaderSchema } from './persist.js';
import type { Parsed } from './command.js';
import { UserError } from './errors.js';
import type { Io } from './kit.js';

export const SCHEMA_NAMES = ['trace', 'scenario', 'checkpoint'] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

const SOURCES: Record<SchemaName, { schema: v.GenericSchema; comment: string }> = {
  trace: { schema: TraceSchema, comment: `format ${TRACE_FORMAT}` },
  scenario: { schema: ScenarioSchema, comment: `format ${SCENARIO_FORMAT}` },
  checkpoint: { schema: CheckpointHeaderSchema, comment: 'the header line of format inflight-checkpoint/2' },
};

/** The JSON Schema of a format. Refinements JSON Schema cannot express (a check across fields, a
 *  transform of the value read) are left out: the published schema accepts a superset of what inflight
 *  reads, never less. */
export function jsonSchema(name: SchemaName): Record<string, unknown> {
  const { schema, comment } = SOURCES[name];
  const out = toJsonSchema(schema, { errorMode: 'throw', ignoreActions: ['check', 'transform', 'readonly'] }) as Record<string, unknown>;
  const { $schema, ...rest } = out;
  return { $schema, $comment: `${comment} of inflight; made by \`inflight schema ${name}\` from the schema inflight reads it with`, ...rest };
}

export const jsonSchemaText = (name: SchemaName): string => JSON.stringify(jsonSchema(name), null, 2) + '\n';

/** `inflight schema NAME` (cli/commands/schema.ts has its options and help). */
export async function cmdSchema({ positionals }: Parsed, io: Io): Promise<number> {
  const [name] = positionals;
  if (name === undefined) throw new UserError('E_USAGE', 'schema needs a name: inflight schema trace|scenario|checkpoint');
  if (!(SCHEMA_NAMES as readonly string[]).includes(name)) {
    throw new UserError('E_USAGE', `unknown schema '${name.slice(0, 60)}' (schemas: ${SCHEMA_NAMES.join(', ')})`);
  }
  io.out(jsonSchemaText(name as SchemaName).trimEnd());
  return 0;
}
