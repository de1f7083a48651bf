// Bundle entry (dist/jdssc.cjs): binds main() to the real process.
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
  process.exitCode = await main(argv, io);
}
