// The pieces every file format's schema (traces, scenarios, checkpoints) is made of, on valibot: integers
// and objects whose messages are the one-line reasons inflight has always given, maps that refuse the
// keys that name Object.prototype, and the reading of a schema's first issue as one line with the JSON
// path of the field it is about.
import * as v from 'valibot';

/** A parse: the value, or a one-line reason and, when the schema says, the JSON path of the bad field. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string; path?: string };

/** A value, short, for a message: a deeply nested or huge value is named by its kind, never serialised. */
export function show(x: unknown): string {
  if (x === null || typeof x === 'number' || typeof x === 'boolean') return String(x);
  if (typeof x === 'string') return JSON.stringify(x.length > 60 ? `${x.slice(0, 60)}…` : x);
  if (x === undefined) return 'nothing';
  return Array.isArray(x) ? 'a list' : 'an object';
}

/** An integer (a JSON number with no fraction), with one message for every way it is not one. */
export const int = (message: string) => v.pipe(v.number(message), v.integer(message));
/** An integer >= 0 and <= Number.MAX_SAFE_INTEGER. */
export const count = (message: string) => v.pipe(v.number(message), v.safeInteger(message), v.minValue(0, message));

/** The message `schema` gives for a value that is not there: an object reports a missing key with its own
 *  message, and the field's is the better one ("argument 'fd' must be an integer"). */
function missingMessage(schema: v.GenericSchema): string | undefined {
  const r = v.safeParse(schema, undefined, { abortEarly: true });
  return r.success ? undefined : r.issues[0].message;
}

type Entries = v.ObjectEntries;
const keyOf = (iss: v.BaseIssue<unknown>): string | undefined => {
  const k = iss.path?.[0]?.key;
  return typeof k === 'string' ? k : undefined;
};

/** An object with these entries (unknown keys are dropped). A missing key gives its field's message; a
 *  value that is not an object gives `message`. */
export function obj<const E extends Entries>(entries: E, message: string) {
  return noLists(v.object(entries, (iss) => {
    const k = iss.input === undefined ? keyOf(iss) : undefined;
    return (k !== undefined && entries[k] !== undefined ? missingMessage(entries[k]) : undefined) ?? message;
  }), message);
}

/** The same, refusing a key it does not know with `unknown(key)`. */
export function strictObj<const E extends Entries>(entries: E, message: string, unknown: (key: string) => string) {
  return noLists(v.strictObject(entries, (iss) => {
    const k = keyOf(iss);
    if (k !== undefined && iss.expected === 'never') return unknown(k);
    return (k !== undefined && iss.input === undefined && entries[k] !== undefined ? missingMessage(entries[k]) : undefined) ?? message;
  }), message);
}

/** `schema` (an object or map) refusing a JSON list with `message`: valibot takes any non-null object for an
 *  object, JSON Schema's "type": "object" no list; the parser says what the published schema says. */
function noLists<S extends v.GenericSchema>(schema: S, message: string): S {
  const run = schema['~run'].bind(schema);
  return {
    ...schema,
    '~run'(dataset: v.UnknownDataset, config: v.Config<v.BaseIssue<unknown>>) {
      if (Array.isArray(dataset.value)) {
        const issue = { kind: 'schema', type: schema.type, input: dataset.value, expected: 'Object', received: 'Array', message };
        return { typed: false, value: dataset.value, issues: [issue] } as never;
      }
      return run(dataset, config);
    },
  };
}

const RESERVED = ['__proto__', 'constructor', 'prototype'];

/** A map from names to values (its message may say {path}, which the scenario reader fills in). valibot's record skips the keys `__proto__`, `constructor` and `prototype`
 *  without a word (so that they never reach Object.prototype); here such a key is refused, so that what a
 *  file says is never silently dropped. */
export function map<K extends v.GenericSchema<string, string>, V extends v.GenericSchema>(key: K, value: V, message: string) {
  const base = noLists(v.record(key, value, message), message);
  const run = base['~run'].bind(base);
  return {
    ...base,
    '~run'(dataset: v.UnknownDataset, config: v.Config<v.BaseIssue<unknown>>): v.OutputDataset<v.InferOutput<typeof base>, v.InferIssue<typeof base>> {
      const input = dataset.value;
      if (input && typeof input === 'object') {
        const bad = RESERVED.find((k) => Object.hasOwn(input, k));
        if (bad !== undefined) {
          const issue = { kind: 'schema', type: 'record', input: bad, expected: 'a name', received: JSON.stringify(bad), message: `{path}: the name '${bad}' is not allowed`,
            path: [{ type: 'object', origin: 'key', input, key: bad, value: (input as Record<string, unknown>)[bad] }] };
          return { typed: false, value: input, issues: [issue] } as never;
        }
      }
      return run(dataset, config);
    },
  } as typeof base;
}

/** `schema` (a v.variant over objects whose discriminator is a literal) with its option found by a lookup
 *  instead of a trial of each in turn: a trace step is one of 22 syscalls, and a trace has up to 10,000.
 *  Anything the lookup does not find is left to the variant, which gives the issue. */
export function keyed<S extends v.VariantSchema<string, v.VariantOptions<string>, v.ErrorMessage<v.VariantIssue> | undefined>>(schema: S): S {
  const byName = new Map<unknown, v.GenericSchema>();
  for (const o of schema.options) {
    const d = (o as v.ObjectSchema<v.ObjectEntries, undefined>).entries[schema.key] as { type?: string; literal?: unknown } | undefined;
    if (d?.type === 'literal') byName.set(d.literal, o as v.GenericSchema);
  }
  const run = schema['~run'].bind(schema);
  return {
    ...schema,
    '~run'(dataset: v.UnknownDataset, config: v.Config<v.BaseIssue<unknown>>) {
      const input = dataset.value;
      const option = input && typeof input === 'object' ? byName.get((input as Record<string, unknown>)[schema.key]) : undefined;
      return (option ? option['~run'](dataset, config) : run(dataset, config)) as never;
    },
  };
}

/** The JSON path of an issue: `steps[3].args.fd`. */
export function pathOf(iss: v.BaseIssue<unknown>): (string | number)[] {
  return (iss.path ?? []).map((p) => p.key as string | number);
}
export function jsonPath(path: readonly (string | number)[]): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? (s ? `.${k}` : k) : `[${JSON.stringify(k)}]`;
  return s;
}

/** Runs `schema` on `input`: the value, or its first issue (the first in the schema's order: format before
 *  the rest) as `{ path, message }`. abortEarly: one issue is all a one-line message says, and a hostile
 *  file is refused at its first fault. */
export function check<S extends v.GenericSchema>(schema: S, input: unknown):
  { ok: true; value: v.InferOutput<S> } | { ok: false; path: (string | number)[]; message: string } {
  const r = v.safeParse(schema, input, { abortEarly: true });
  if (r.success) return { ok: true, value: r.output };
  const iss = r.issues[0];
  return { ok: false, path: pathOf(iss), message: iss.message };
}
