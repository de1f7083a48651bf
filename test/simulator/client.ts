// A tiny HTTPS client for simulator tests: node:https, TLS verified against the simulator's
// CA, loopback only.
import { request as httpsRequest } from 'node:https';
import type { RunningSimulator } from '../../src/simulator/index';

export interface Resp {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  auth?: [string, string] | null; // null = no Authorization header
  address?: string;
  timeoutMs?: number;
  ca?: string;
}

export function call(sim: RunningSimulator, method: string, path: string, opts: CallOptions = {}): Promise<Resp> {
  const address = opts.address ?? sim.addresses[0];
  if (!address.startsWith('127.')) throw new Error('tests only talk to 127.0.0.0/8');
  const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const [user, password] = opts.auth === undefined ? ['admin', 'admin'] : (opts.auth ?? []);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (user !== undefined) headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: address, port: sim.port, path, method, headers, ca: opts.ca ?? sim.caPem, agent: false, timeout: opts.timeoutMs ?? 5000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('client timeout'), { code: 'ETIMEDOUT_CLIENT' })));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Shorthand for pool-scoped REST paths. */
export const poolPath = (rest = '', pool = 'Pool-0') => `/api/v4/pools/${pool}${rest}`;

export const GiB = 2 ** 30;

/** A settable clock for deterministic creation times. */
export function manualClock(start = 1_700_000_000_000) {
  const clock = { t: start, now: () => clock.t, advance: (ms: number) => void (clock.t += ms) };
  return clock;
}

/** Create a volume over REST; fails the test on a non-201. */
export async function createVolume(
  sim: RunningSimulator,
  name: string,
  size: string | number = '1G',
  extra: Record<string, unknown> = {},
): Promise<Resp> {
  const r = await call(sim, 'POST', poolPath('/volumes'), { body: { name, size, sparse: true, ...extra } });
  if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${r.text}`);
  return r;
}

export async function createSnapshot(sim: RunningSimulator, volume: string, snapshot: string): Promise<Resp> {
  const r = await call(sim, 'POST', poolPath(`/volumes/${volume}/snapshots`), { body: { snapshot_name: snapshot } });
  if (r.status !== 200) throw new Error(`snapshot ${volume}@${snapshot}: ${r.status} ${r.text}`);
  return r;
}
