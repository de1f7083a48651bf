// Runs the real CLI (main()) in-process against a real simulator on loopback. Every test gets
// its own simulator, password file (0600), CA file, config file and state directory.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { main } from '../../src/cli/main';
import type { FactoryOverrides } from '../../src/cmdutil/factory';
import type { ErrorCode } from '../../src/errors';
import type { CleanupReport } from '../../src/flows/cleanup';
import type { Activation, Deactivation, VolumeStatus } from '../../src/flows/login';
import type { LunRecord, MapState } from '../../src/host';
import type {
  CheckReport,
  CreateResult,
  CreateSnapshotResult,
  DeleteResult,
  DeleteSnapshotResult,
  ListSnapshotsResult,
  PoolStats,
  Publication,
  PublicationInfo,
  RenameResult,
  ResizeResult,
  RollbackCheck,
  RollbackResult,
  SessionsView,
  TargetView,
  Unpublished,
  VipView,
  VolumeView,
} from '../../src/storage';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator';
import { FAKES_DIR } from '../host/fakes/harness';
import { tickFake } from '../host/fakes/lib/dispatch.mjs';
import { createFakeRoot, initialState, loadState, saveState, withState, type FakeState } from '../host/fakes/lib/state.mjs';
import { call, poolPath, type Resp } from '../simulator/client';
import { fakeDataPath } from './fakeDataPath.mjs';
import { tempDir } from './tmp';

/** The fake host behind `login` tests: its root, its state, and knobs. */
export interface FakeHostHandle {
  root: string;
  statePath: string;
  state(): FakeState;
  update(fn: (state: FakeState) => void): void;
}

/**
 * What each command prints with --json on success, by "noun verb" (or the top-level command's
 * name). The types are the commands' result types; a new command gets its line here.
 */
export interface CommandResults {
  'pool stats': PoolStats;
  'pool vips': { vips: VipView[] };
  'pool check': CheckReport;
  'volume create': CreateResult;
  'volume get': VolumeView;
  'volume list': { volumes: VolumeView[] };
  'volume free-name': { name: string };
  'volume resize': ResizeResult;
  'volume rename': RenameResult;
  'volume clone': VolumeView;
  'volume delete': DeleteResult;
  'snapshot create': CreateSnapshotResult;
  'snapshot delete': DeleteSnapshotResult;
  'snapshot list': ListSnapshotsResult;
  'snapshot rollback': RollbackCheck | RollbackResult;
  'target publish': Publication;
  'target unpublish': Unpublished;
  'target get': PublicationInfo;
  'target list': { targets: TargetView[] };
  'target sessions': SessionsView;
  'login activate': Activation;
  'login deactivate': Deactivation;
  'login status': VolumeStatus;
  'login rescan': { volume: string; device: string; size: number };
  'login list': { records: LunRecord[] };
  'multipath status': MapState & { wwid: string };
  'multipath add': { wwid: string; dm: string; created: boolean };
  'multipath remove': { wwid: string; map: 'absent' | 'removed' | 'deferred' };
  cleanup: CleanupReport;
}

/**
 * The result type of an argv: that of the first "noun verb" pair (or top-level command) in it,
 * global flags before it skipped; `unknown` when the argv's elements are not literals. An argv
 * that starts with a spread (`[...flags, 'login', 'activate', v]`) is searched from its end.
 */
export type ResultOf<A extends readonly string[]> = A extends readonly [infer N extends string, ...infer Rest extends readonly string[]]
  ? N extends keyof CommandResults
    ? CommandResults[N]
    : Rest extends readonly [infer V extends string, ...(readonly string[])]
      ? `${N} ${V}` extends keyof CommandResults
        ? CommandResults[`${N} ${V}`]
        : ResultOf<Rest>
      : unknown
  : ResultFromEnd<A>;
type ResultFromEnd<A extends readonly string[]> = A extends readonly [...infer Pre extends readonly string[], infer V extends string]
  ? V extends Exclude<keyof CommandResults, `${string} ${string}`>
    ? CommandResults[V]
    : Pre extends readonly [...(readonly string[]), infer N extends string]
      ? `${N} ${V}` extends keyof CommandResults
        ? CommandResults[`${N} ${V}`]
        : ResultFromEnd<Pre>
      : unknown
  : unknown;

/** The document `--json` prints on failure. */
export interface ErrorDocument {
  error: {
    code: ErrorCode;
    exit: number;
    message: string;
    /** Absent when the error carries no details. */
    details: Record<string, unknown>;
  };
}

export interface CliResult<R = unknown> {
  code: number;
  stdout: string;
  stderr: string;
  /**
   * stdout parsed as JSON (undefined when it is not JSON): the result R on success, the error
   * document on failure. Typed as both so a test reads either without narrowing, while a field
   * that neither has fails to compile.
   */
  json: R & ErrorDocument;
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
  /** `jdssc -c <config> <args>`; `json` is typed as the result of the command `args` names (ResultOf), or as an explicit R. */
  run<const A extends readonly string[]>(args: A, opts?: RunOptions): Promise<CliResult<ResultOf<A>>>;
  run<R>(args: readonly string[], opts?: RunOptions): Promise<CliResult<R>>;
  /**
   * `jdssc <args> --json` that must succeed: its parsed JSON, typed as the result of the command
   * `args` names (ResultOf), or as an explicit R; throws with exit code and stderr otherwise.
   */
  okJson<const A extends readonly string[]>(args: A, opts?: RunOptions): Promise<ResultOf<A>>;
  okJson<R>(args: readonly string[], opts?: RunOptions): Promise<R>;
  /** One REST request to the simulator as admin with this env's password; `path` is pool-relative. */
  rest(method: string, path: string, body?: unknown, pool?: string): Promise<Resp>;
  /** Mutating REST requests the simulator received since the last reset. */
  mutations(): number;
  close(): Promise<void>;
}

/** Runs main() once on capture streams; `json` is typed like CliEnv.run's. */
export function runCli<const A extends readonly string[]>(
  args: A,
  env: Record<string, string | undefined>,
  stdin?: string,
  overrides?: FactoryOverrides,
): Promise<CliResult<ResultOf<A>>>;
export function runCli<R>(
  args: readonly string[],
  env: Record<string, string | undefined>,
  stdin?: string,
  overrides?: FactoryOverrides,
): Promise<CliResult<R>>;
export async function runCli(
  args: readonly string[],
  env: Record<string, string | undefined>,
  stdin = '',
  overrides: FactoryOverrides = {},
): Promise<CliResult<unknown>> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main([...args], { stdout, stderr, stdin: Readable.from([stdin]), env }, overrides);
  let json: CliResult['json'];
  try {
    json = JSON.parse(stdout.text);
  } catch {
    json = undefined as unknown as CliResult['json'];
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
  const exec = (args: readonly string[], o: RunOptions = {}): Promise<CliResult<unknown>> =>
    runCli<unknown>(
      o.noConfig ? args : ['-c', config, ...args],
      { JDSSC_STATE_DIR: stateDir, JDSSC_JOURNAL_SOCKET: '', ...o.env },
      o.stdin,
      {
        ...(clock ? { clock } : {}),
        ...o.overrides,
      },
    );
  const okJson = async (args: readonly string[], o?: RunOptions): Promise<unknown> => {
    const r = await exec([...args, '--json'], o);
    if (r.code !== 0) throw new Error(`jdssc ${args.join(' ')} → ${r.code}: ${r.stderr}`);
    return r.json;
  };
  return {
    sim,
    host,
    dir: tmp.dir,
    config,
    passwordFile,
    password,
    // The result types exist at compile time only (read off the argv): one implementation serves them all.
    run: exec as unknown as CliEnv['run'],
    okJson: okJson as unknown as CliEnv['okJson'],
    rest: (method, path, body, pool = 'Pool-0') => call(sim, method, poolPath(path, pool), { auth: ['admin', password], body }),
    mutations: () => sim.requests.count({ mutatingOnly: true }),
    async close() {
      await sim.close();
      tmp.cleanup();
    },
  };
}
