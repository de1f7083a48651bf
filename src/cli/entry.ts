// Bundle entry (dist/jdssc.cjs): binds main() to the real process.
import { EXIT } from '../errors';
import { main } from './main';

export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const io = {
    stdout: process.stdout,
    stderr: process.stderr,
    // Only --password-stdin reads it; creating the stream costs up to a millisecond (on /dev/null).
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
  const code = await main(argv, io, {}, { signals: true });
  process.exitCode = code;
  // A command stopped by a signal may still have a request or a wait pending; it is not waited for.
  if (code === EXIT.INTERRUPTED) process.exit(code);
}
