// The shape of every command: a yargs builder, a run function that returns a result object
// (never prints), and an optional human renderer. `run(args, factory)` is the test seam.
import type { Argv } from 'yargs';
import type { ExitCode } from '../errors';
import type { Factory } from './factory';
import type { Printer } from './output';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Args = Record<string, any>;

export interface CommandDef<A extends Args = Args, R = unknown> {
  /** yargs command string, e.g. 'create <name>'. */
  command: string;
  describe: string;
  aliases?: string[];
  /** At least one example: shown by --help. */
  examples: Array<[command: string, description: string]>;
  builder?: (y: Argv) => Argv;
  run(args: A, f: Factory): Promise<R>;
  human?(result: R, p: Printer): void;
  /** Exit code for a result that is printed but still signals a problem (e.g. a failed check). */
  exitCode?(result: R): ExitCode;
  /** Changes something on the array or this host: leaves an audit line in the journal (cmdutil/audit.ts).
   * A function decides per invocation (a dry run or `--check` changes nothing). */
  mutates?: boolean | ((args: A) => boolean);
}

export interface NounDef {
  name: string;
  describe: string;
  verbs: CommandDef[];
}

export function defineCommand<A extends Args, R>(def: CommandDef<A, R>): CommandDef {
  return def as unknown as CommandDef;
}
