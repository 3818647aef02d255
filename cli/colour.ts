// Colour for verdicts on a terminal: VIOLATED red, holds green, found cyan, open or n/a verdicts yellow.
// Only when stdout is a terminal and NO_COLOR is unset (https://no-color.org) and TERM is not "dumb";
// node:util's styleText makes the escapes (no dependency for five styles).
import { styleText } from 'node:util';

/** Should output to stdout be coloured? (bin/inflight.mjs asks once, for the Io.) */
export function colourWanted(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): boolean {
  return stdoutIsTty && (env['NO_COLOR'] === undefined || env['NO_COLOR'] === '') && env['TERM'] !== 'dumb';
}

/** `text` (a verdict cell, already padded or not) coloured by the verdict word it starts with. */
export function paintVerdict(text: string, on: boolean): string {
  if (!on) return text;
  const t = text.trimStart();
  const style = t.startsWith('VIOLATED') ? 'red' : t.startsWith('holds/') || t.startsWith('holds within') || t.startsWith('not-found/') || t.startsWith('not found within') || t.startsWith('n/a') ? 'yellow'
    : t.startsWith('holds') ? 'green' : t.startsWith('found') ? 'cyan' : undefined;
  if (style === undefined) return text;
  // Colour the word, not the padding around it, so that columns stay aligned.
  const m = /^(\s*)(\S(?:.*\S)?)(\s*)$/.exec(text)!;
  // validateStream false: whether to colour is decided above (Node 20's styleText would otherwise judge
  // process.stdout for some formats and not for others).
  return `${m[1]}${styleText(style === 'red' ? ['red', 'bold'] : style, m[2]!, { validateStream: false })}${m[3]}`;
}
