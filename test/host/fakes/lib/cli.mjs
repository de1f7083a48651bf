// Entry of the executable fakes: argv from the command line, state file from FAKE_HOST_STATE.
import { basename } from 'node:path';
import { runFake } from './dispatch.mjs';

export async function main(tool) {
  const statePath = process.env.FAKE_HOST_STATE;
  if (!statePath) {
    process.stderr.write(`${tool} (fake): FAKE_HOST_STATE is not set\n`);
    process.exit(99);
  }
  const r = runFake(statePath, tool ?? basename(process.argv[1]), process.argv.slice(2), Date.now(), { pid: process.pid });
  if (r.ignoreTerm) process.on('SIGTERM', () => {});
  if (r.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, r.delayMs));
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.code;
}
