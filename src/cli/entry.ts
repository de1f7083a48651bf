// Bundle entry (dist/jdssc.cjs): binds main() to the real process.
import { main } from './main';

export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const code = await main(argv, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
  process.exitCode = code;
}
