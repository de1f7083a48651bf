// The factory hands each command what it needs, built lazily and at most once per
// invocation: configuration, secrets, logger, REST client, clock, the cluster-wide array locks.
// Tests replace any piece through `overrides` (the seam every command is tested through).
import * as nodeFs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { loadSecrets, type Secrets, requireControlAddresses, resolveConfig, type ResolvedConfig, type Settings } from '../config';
import { ConfigError } from '../errors';
import {
  createAddressMemory,
  noAddressMemory,
  type AddressMemory,
  DEFAULT_RETRY,
  RestClient,
  type HttpSender,
  type RestClientOptions,
  type RetryPolicy,
} from '../jovian';
import { createLogger, Redactor, type Logger } from '../log/logger';
import { systemClock, type Clock } from '../util/clock';
import { Deadline } from '../util/deadline';
import type { ArrayLocks, StorageContext } from '../storage';
import { createClusterLocks, DEFAULT_ROOTS, parseInitiatorName, type ClusterLocks, type HostTuning } from '../host';

export interface IO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable;
  env: Record<string, string | undefined>;
}

export interface FactoryOverrides {
  clock?: Clock;
  random?: () => number;
  fs?: typeof nodeFs;
  http?: (settings: Settings, secrets: Secrets) => Promise<HttpSender>;
  uid?: number;
  /** Shorter host waits for tests. */
  hostTuning?: Partial<HostTuning>;
  /**
   * Where the Proxmox cluster file system is mounted (its priv/lock holds the cluster-wide
   * locks). Default: $JDSSC_PVE_ROOT, else /etc/pve under host_root. Tests give two "nodes" one.
   */
  pveRoot?: string;
}

export interface Factory {
  readonly io: IO;
  readonly overrides: FactoryOverrides;
  readonly clock: Clock;
  readonly redactor: Redactor;
  config(): ResolvedConfig;
  settings(): Settings;
  logger(): Logger;
  deadline(): Deadline;
  secrets(): Promise<Secrets>;
  stateDir(): string;
  rest(): Promise<RestClient>;
  /** A client for exactly one address and one attempt (health probes). */
  probeClient(address: string): Promise<RestClient>;
  /** A client for "does the array answer at all": one round over the control addresses, requests of at most 5 s. */
  quickRest(): Promise<RestClient>;
  /** Everything array-side operations need (REST client, pool, naming and defaults). `forceDetach`
   * comes from the command's own `--force` (see cmdutil/options.ts): the command passes it. */
  storage(opts?: { forceDetach?: boolean }): Promise<StorageContext>;
  /** Release sockets so the process can exit at once. */
  close(): void;
}

/** One attempt per address, no backoff: probes that must answer quickly. */
const ONE_ROUND: RetryPolicy = { rounds: 1, baseDelayMs: 0, maxDelayMs: 0 };

export function createFactory(argv: Record<string, unknown>, io: IO, overrides: FactoryOverrides = {}): Factory {
  const clock = overrides.clock ?? systemClock;
  const fs = overrides.fs ?? nodeFs;
  const redactor = new Redactor();
  let config: ResolvedConfig | undefined;
  let logger: Logger | undefined;
  let deadline: Deadline | undefined;
  let secrets: Promise<Secrets> | undefined;
  let rest: Promise<RestClient> | undefined;
  let sender: HttpSender | undefined;
  let senderReady: Promise<HttpSender> | undefined;
  let initiator: string | null | undefined;
  let clusterLocks: ClusterLocks | undefined;

  /** One HTTPS agent per invocation, shared by every client (keep-alive across requests). */
  const httpSender = (): Promise<HttpSender> => {
    senderReady ??= (async () => {
      const s = f.settings();
      requireControlAddresses(s);
      const sec = await f.secrets();
      if (!sec.restPassword) {
        throw new ConfigError(
          'no REST password given: use --password-file (or password_file in the config), --password-stdin, or $JDSSC_PASSWORD',
          'password_file',
        );
      }
      redactor.add(Buffer.from(`${s.userName}:${sec.restPassword}`).toString('base64'));
      if (!s.tlsVerify) f.logger().warn('TLS certificate verification is disabled (ssl_cert_verify false)');
      sender = await (overrides.http ?? defaultSender(fs))(s, sec);
      return sender;
    })();
    return senderReady;
  };

  /** A REST client of this invocation (its pool, user, sender, deadline, clock, logger). */
  const restClient = async (
    addresses: string[],
    o: Pick<RestClientOptions, 'memory' | 'requestTimeoutMs' | 'retry' | 'random'>,
  ): Promise<RestClient> => {
    const s = f.settings();
    return new RestClient({
      addresses,
      pool: s.pool,
      user: s.userName,
      http: await httpSender(),
      deadline: f.deadline(),
      clock,
      log: f.logger(),
      ...o,
    });
  };

  /** Made on first use: most commands never lock. On a Proxmox node, pmxcfs; elsewhere this node's lock files. */
  const locks: ArrayLocks = {
    run(key, purpose, fn) {
      clusterLocks ??= createClusterLocks({
        pveRoot: overrides.pveRoot ?? (io.env.JDSSC_PVE_ROOT || join(f.settings().hostRoot, 'etc/pve')),
        env: { clock, deadline: f.deadline(), log: f.logger(), roots: { ...DEFAULT_ROOTS, locks: join(f.stateDir(), 'locks') } },
        fs,
        random: overrides.random,
      });
      return clusterLocks.run(key, purpose, fn);
    },
  };

  const f: Factory = {
    io,
    overrides,
    clock,
    redactor,
    config() {
      config ??= resolveConfig({
        configFile: argv.config as string | undefined,
        // resolveConfig reads only the flags the settings table names (schema.ts).
        flags: argv,
        env: io.env,
        fs,
      });
      return config;
    },
    settings: () => f.config().settings,
    logger() {
      if (!logger) {
        const s = f.settings();
        logger = createLogger({
          file: s.logFile,
          level: s.logLevel,
          requestId: argv['request-id'] as string | undefined,
          redactor,
          onOpenError: (m) => io.stderr.write(`warning: ${m}\n`),
        });
      }
      return logger;
    },
    deadline() {
      deadline ??= new Deadline(clock, f.settings().deadlineMs);
      return deadline;
    },
    secrets() {
      secrets ??= loadSecrets({
        passwordFile: f.settings().passwordFile,
        passwordStdin: argv['password-stdin'] === true,
        env: io.env,
        yaml: f.config().file?.secrets ?? {},
        readStdin: () => readAll(io.stdin),
        fs,
      }).then((s) => {
        redactor.add(s.restPassword);
        redactor.add(s.chapSecret);
        return s;
      });
      return secrets;
    },
    stateDir() {
      const s = f.settings();
      if (s.stateDir) return s.stateDir;
      if (io.env.JDSSC_STATE_DIR) return io.env.JDSSC_STATE_DIR;
      const uid = overrides.uid ?? process.getuid?.() ?? 0;
      return uid === 0 ? '/run/jdssc' : join(io.env.XDG_RUNTIME_DIR || tmpdir(), `jdssc-${uid}`);
    },
    rest() {
      rest ??= (async () => {
        const s = f.settings();
        const addresses = requireControlAddresses(s);
        return restClient(addresses, {
          random: overrides.random,
          memory: addressMemory(f, addresses, s.controlPort),
          requestTimeoutMs: s.requestTimeoutMs,
          retry: s.restAttempts ? { ...DEFAULT_RETRY, rounds: s.restAttempts } : undefined,
        });
      })();
      return rest;
    },
    async quickRest() {
      const s = f.settings();
      const addresses = requireControlAddresses(s);
      return restClient(addresses, {
        memory: addressMemory(f, addresses, s.controlPort),
        requestTimeoutMs: Math.min(s.requestTimeoutMs, 5_000),
        retry: ONE_ROUND,
      });
    },
    async probeClient(address: string) {
      return restClient([address], {
        memory: noAddressMemory,
        requestTimeoutMs: Math.min(f.settings().requestTimeoutMs, 10_000),
        retry: ONE_ROUND,
      });
    },
    async storage(opts = {}) {
      const s = f.settings();
      return {
        rest: await f.rest(),
        pool: s.pool,
        clusterPrefix: s.clusterPrefix,
        defaults: { blockSize: s.blockSize, thin: s.thinProvision },
        clock,
        deadline: f.deadline(),
        log: f.logger(),
        // Read once per invocation, however many LUNs the command detaches.
        localInitiator: () => (initiator === undefined ? (initiator = initiatorName(fs, s.hostRoot)) : initiator),
        forceDetach: opts.forceDetach === true,
        locks,
      };
    },
    close() {
      sender?.close();
    },
  };
  return f;
}

function addressMemory(f: Factory, addresses: string[], port: number): AddressMemory {
  return createAddressMemory({ stateDir: f.stateDir(), addresses, port, now: () => f.clock.now() });
}

function defaultSender(fs: typeof nodeFs) {
  return async (s: Settings, sec: Secrets): Promise<HttpSender> => {
    let ca: string | undefined;
    if (s.caFile) {
      try {
        ca = fs.readFileSync(s.caFile, 'utf8');
      } catch (e) {
        throw new ConfigError(`CA file ${s.caFile} cannot be read (${(e as NodeJS.ErrnoException).code})`, 'ssl_ca_file');
      }
    }
    // node:https, node:tls and axios load only for commands that talk to the appliance.
    const { createHttpsSender } = await import('../jovian/http');
    return createHttpsSender({
      port: s.controlPort,
      user: s.userName,
      password: sec.restPassword as string,
      verifyTls: s.tlsVerify,
      ca,
      connectTimeoutMs: s.connectTimeoutMs,
    });
  };
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

/** This host's iSCSI initiator name (open-iscsi keeps it in /etc/iscsi/initiatorname.iscsi). */
function initiatorName(fs: typeof nodeFs, hostRoot: string): string | null {
  try {
    return parseInitiatorName(fs.readFileSync(join(hostRoot, 'etc/iscsi/initiatorname.iscsi'), 'utf8')) ?? null;
  } catch {
    return null;
  }
}
