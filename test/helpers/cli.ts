// Runs the real CLI (main()) in-process against a real simulator on loopback. Every test gets
// its own simulator, password file (0600), CA file, config file and state directory.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { main } from '../../src/cli/main';
import type { FactoryOverrides } from '../../src/cmdutil/factory';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator';
import { FAKES_DIR } from '../host/fakes/harness';
import { tickFake } from '../host/fakes/lib/dispatch.mjs';
import { createFakeRoot, initialState, loadState, saveState, withState } from '../host/fakes/lib/state.mjs';
import { call, poolPath, type Resp } from '../simulator/client';
import { fakeDataPath } from './fakeDataPath.mjs';
import { tempDir } from './tmp';

/** The fake host behind `login` tests: its root, its state, and knobs. */
export interface FakeHostHandle {
  root: string;
  statePath: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  state(): any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  update(fn: (state: any) => void): void;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (undefined when it is not JSON). */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer | string, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

export interface RunOptions {
  env?: Record<string, string>;
  stdin?: string;
  overrides?: FactoryOverrides;
  noConfig?: boolean;
}

export interface CliEnv {
  sim: RunningSimulator;
  host?: FakeHostHandle;
  dir: string;
  config: string;
  passwordFile: string;
  password: string;
  run(args: string[], opts?: RunOptions): Promise<CliResult>;
  /** `jdssc <args> --json` that must succeed: its parsed JSON; throws with exit code and stderr otherwise. */
  okJson(args: string[], opts?: RunOptions): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** One REST request to the simulator as admin with this env's password; `path` is pool-relative. */
  rest(method: string, path: string, body?: unknown, pool?: string): Promise<Resp>;
  /** Mutating REST requests the simulator received since the last reset. */
  mutations(): number;
  close(): Promise<void>;
}

export async function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  stdin = '',
  overrides: FactoryOverrides = {},
): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr, stdin: Readable.from([stdin]), env }, overrides);
  let json: unknown;
  try {
    json = JSON.parse(stdout.text);
  } catch {
    json = undefined;
  }
  return { code, stdout: stdout.text, stderr: stderr.text, json };
}

export async function cliEnv(opts: Partial<SimulatorOptions> & { configExtra?: string; fakeHost?: boolean } = {}): Promise<CliEnv> {
  const tmp = tempDir('jdssc-cli-');
  const password = `pw-${Math.random().toString(36).slice(2)}-Secret`;
  let host: FakeHostHandle | undefined;
  if (opts.fakeHost) {
    const root = join(tmp.dir, 'host');
    const statePath = join(tmp.dir, 'host-state.json');
    createFakeRoot(root);
    saveState(statePath, initialState(root));
    host = { root, statePath, state: () => loadState(statePath), update: (fn) => withState(statePath, fn) };
    // the fake tools find their state through the environment of the processes we spawn
    process.env.FAKE_HOST_STATE = statePath;
  }
  const sim = await startSimulator({
    listen: ['127.0.0.1'],
    seed: 7,
    password,
    ...(host ? { backend: fakeDataPath(host.statePath) } : {}),
    ...opts,
  });
  const caFile = join(tmp.dir, 'ca.pem');
  writeFileSync(caFile, sim.caPem);
  const passwordFile = tmp.file('password', `${password}\n`, 0o600);
  const settings: Record<string, string> = {
    pool_name: 'Pool-0',
    control_addresses: sim.addresses.join(','),
    control_port: String(sim.port),
    data_addresses: '127.0.0.2,127.0.0.3',
    password_file: passwordFile,
    ssl_ca_file: caFile,
    connect_timeout: '1',
    request_timeout: '5',
    timeout: '20',
    ...(host ? { host_root: host.root, host_tools_dir: FAKES_DIR, storage_id: 'jdss-test' } : {}),
  };
  // configExtra lines override the defaults above (a YAML key may appear only once)
  for (const line of (opts.configExtra ?? '').split('\n')) {
    const m = /^\s*([\w]+)\s*:\s*(.*)$/.exec(line);
    if (m) settings[m[1]] = m[2];
  }
  const config = tmp.file(
    'jdss-Pool-0.yaml',
    Object.entries(settings)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n') + '\n',
    0o600,
  );
  const stateDir = join(tmp.dir, 'state');
  // With a fake host, sleeping lets time pass in the fake kernel too (delayed devices, sysfs writes).
  const clock = host
    ? {
        now: () => Date.now(),
        sleep: async (ms: number) => {
          await new Promise((r) => setTimeout(r, ms));
          tickFake(host!.statePath);
        },
      }
    : undefined;
  const run: CliEnv['run'] = (args, o = {}) =>
    runCli(o.noConfig ? args : ['-c', config, ...args], { JDSSC_STATE_DIR: stateDir, ...o.env }, o.stdin, {
      ...(clock ? { clock } : {}),
      ...o.overrides,
    });
  return {
    sim,
    host,
    dir: tmp.dir,
    config,
    passwordFile,
    password,
    run,
    async okJson(args, o) {
      const r = await run([...args, '--json'], o);
      if (r.code !== 0) throw new Error(`jdssc ${args.join(' ')} → ${r.code}: ${r.stderr}`);
      return r.json;
    },
    rest: (method, path, body, pool = 'Pool-0') => call(sim, method, poolPath(path, pool), { auth: ['admin', password], body }),
    mutations: () => sim.requests.count({ mutatingOnly: true }),
    async close() {
      await sim.close();
      tmp.cleanup();
    },
  };
}
