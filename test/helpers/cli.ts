// Running the CLI in-process (main(argv, io)), for tests that need its exit status and output.
import { main, type Io } from '../../cli/main.js';

export interface CliRun { readonly code: number; readonly out: string; readonly err: string }

export async function cli(argv: readonly string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (s) => { out.push(s); }, err: (s) => { err.push(s); } };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
