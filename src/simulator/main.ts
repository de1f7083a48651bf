// Entry for `jdssc simulator start`: start, publish the CA and a ready file, run until
// SIGTERM/SIGINT, then close cleanly (flushing the state file). The REST password comes from
// a file, never from argv, and is never printed.
import { readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { startSimulator } from './index';
import { isLoopback } from './transport/listeners';
import type { SimulatorOptions } from './types';

export interface SimulatorMainOptions extends SimulatorOptions {
  readyFile?: string;
  caFile?: string;
  passwordFile?: string;
}

export interface SimulatorMainIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Tests replace the process signals with their own stop trigger. */
export interface SimulatorMainRuntime {
  untilStopped?: Promise<unknown>;
}

/** First line of the file, or the value of a `user_password <pw>` line when there is one. */
export function readPasswordFile(path: string): string {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  for (const line of lines) {
    const m = /^\s*user_password\s+(.+?)\s*$/.exec(line);
    if (m) return m[1];
  }
  const first = (lines[0] ?? '').trim();
  if (!first) throw new Error(`password file ${path} is empty`);
  return first;
}

async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, path);
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve(signal);
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
}

/** Returns the process exit code: 0 after a clean stop, 2 for bad options, 1 when it cannot start. */
export async function simulatorMain(opts: SimulatorMainOptions, io: SimulatorMainIo, runtime: SimulatorMainRuntime = {}): Promise<number> {
  const { readyFile, caFile, passwordFile, ...simOptions } = opts;
  const foreign = (simOptions.listen ?? []).filter((a) => !isLoopback(a));
  if (!simOptions.listen?.length || foreign.length) {
    io.stderr.write(
      `jdssc simulator: listen addresses must be loopback (127.0.0.0/8 or ::1)${foreign.length ? `; refused: ${foreign.join(', ')}` : ''}\n`,
    );
    return 2;
  }
  let password = simOptions.password;
  if (passwordFile) {
    try {
      password = readPasswordFile(passwordFile);
    } catch (e) {
      io.stderr.write(`jdssc simulator: cannot read password file: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const stopped = runtime.untilStopped ?? waitForSignal();
  let sim;
  try {
    sim = await startSimulator({ ...simOptions, password });
  } catch (e) {
    io.stderr.write(`jdssc simulator: cannot start: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    if (caFile) await writeAtomically(caFile, sim.caPem, 0o644);
    const user = simOptions.user ?? 'admin';
    if (readyFile) {
      const ready = {
        pid: process.pid,
        port: sim.port,
        addresses: sim.addresses,
        caFile: caFile ?? null,
        user,
        ...(sim.dataPath
          ? {
              dataPath: {
                kind: sim.dataPath.kind,
                port: sim.dataPath.port,
                portals: sim.dataPath.addresses,
                dataDir: sim.dataPath.dataDir,
              },
            }
          : {}),
        ...(sim.state.nasStore ? { nasDataDir: sim.state.nasStore.dataDir } : {}),
      };
      await writeAtomically(readyFile, `${JSON.stringify(ready)}\n`, 0o600);
    }
    io.stdout.write(`jdssc simulator listening on ${sim.addresses.map((a) => sim.baseUrl(a)).join(', ')} (user ${user})\n`);
    if (sim.dataPath) {
      const dp = sim.dataPath;
      io.stdout.write(
        `jdssc simulator data path: ${dp.kind} on ${dp.addresses.map((a) => `${a}:${dp.port}`).join(', ')}, images in ${dp.dataDir}\n`,
      );
    }
    await stopped;
  } catch (e) {
    io.stderr.write(`jdssc simulator: ${(e as Error).message}\n`);
    await sim.close();
    return 1;
  }
  await sim.close();
  if (readyFile) await rm(readyFile, { force: true });
  return 0;
}
