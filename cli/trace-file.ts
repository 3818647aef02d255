// Reading a trace file for a command: one place for the two ways it can fail.
import { readFileSync } from 'node:fs';
import { parseTrace, type TraceFile } from '../traces/format.js';
import { oneLine, UserError } from './errors.js';

export function readTraceFile(file: string): TraceFile {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new UserError('E_TRACE_READ', `cannot read ${file}: ${oneLine((e as Error).message)}`);
  }
  const parsed = parseTrace(text);
  if (!parsed.ok) throw new UserError('E_TRACE_INVALID', `${file}: ${parsed.error}`);
  return parsed.value;
}
