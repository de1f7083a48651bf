// JovianDSS REST v4 simulator: HTTPS + Basic auth on loopback addresses, appliance-shaped
// answers, ZFS-like semantics, fault injection, request log, control API, persistence.
import type { ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { BasicAuth } from './transport/auth';
import { DataEventSink, noopBackend, type TargetBackend } from './model/backend';
import { generateCertificate } from './transport/cert';
import { createControlHandler } from './control/controlApi';
import { startDataPath, type DataPathHandle } from './dataPath';
import { IdSource, SeededRandom, SimClock } from './model/effects';
import { FaultController } from './control/faults';
import { AddressListeners, isLoopback } from './transport/listeners';
import { SimState, volumeByName, type VipRec } from './model/model';
import { loadStateFile, restoreState, serializeState, StateFileWriter } from './model/persistence';
import { RequestLog } from './control/requestLog';
import { buildRouter } from './api/routes';
import { setSessions } from './model/san';
import { seedVolumes } from './control/seed';
import { destroyOutOfBand } from './model/zfs/volumes';
import { createRequestListener } from './transport/server';
import { createNasStore } from './model/nas/store';
import type { PoolSeed, RunningSimulator, SimulatorOptions } from './types';

export type { PoolSeed, RunningSimulator, SimulatorOptions, VipSeed } from './types';
export type { FaultSpec, FaultKind, FaultMatch, ActiveFault } from './control/faults';
export { FaultController } from './control/faults';
export { RequestLog, type RequestRecord, type CountFilter } from './control/requestLog';
export type { TargetBackend, LunExport, TargetSettings, DataEvent } from './model/backend';
export { noopBackend } from './model/backend';
export type { DataPathOptions, DataPathHandle } from './dataPath';
export { TGT_LUN_OFFSET, tgtLun, joviandssWwid } from './dataPath';
export type { SimState, SessionRec } from './model/model';
export type { SeedRequest } from './control/seed';

export const DEFAULT_POOLS: PoolSeed[] = [
  {
    name: 'Pool-0',
    sizeBytes: 100 * 2 ** 30,
    vips: [
      { name: 'vip0', address: '127.0.0.2', netmask: '255.0.0.0', iface: 'eth0' },
      { name: 'vip1', address: '127.0.0.3', netmask: '255.0.0.0', iface: 'eth1' },
    ],
  },
];

function seedPools(state: SimState, pools: PoolSeed[]): void {
  for (const p of pools) {
    const vips: VipRec[] = (p.vips ?? []).map((v, i) => ({
      name: v.name,
      address: v.address,
      netmask: v.netmask ?? '255.255.255.0',
      iface: v.iface ?? `eth${i}`,
    }));
    state.addPool({ name: p.name, id: p.id, sizeBytes: p.sizeBytes ?? 100 * 2 ** 30, vips, oldFirmware: p.oldFirmware });
  }
}

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  if (!opts.listen?.length) throw new Error('simulator: at least one listen address is required');
  const addresses = [...new Set(opts.listen)];
  const foreign = addresses.filter((a) => !isLoopback(a));
  if (foreign.length) throw new Error(`simulator: refusing non-loopback listen address(es): ${foreign.join(', ')}`);

  const clock = new SimClock(opts.now ?? Date.now);
  const idRandom = new SeededRandom(opts.seed);
  // A separate stream for fault draws, so injecting faults never changes the ids a test sees.
  const faultRandom = new SeededRandom(opts.seed === undefined ? undefined : (opts.seed ^ 0x5eed) >>> 0);
  const state = new SimState(clock, new IdSource(idRandom));
  const nasDataDir = opts.nasDataDir ?? opts.dataPath?.dataDir;
  if (nasDataDir) state.nasStore = createNasStore(nasDataDir);
  const persisted = opts.stateFile ? loadStateFile(opts.stateFile) : undefined;
  if (persisted) restoreState(state, idRandom, persisted);
  else seedPools(state, opts.pools ?? DEFAULT_POOLS);

  const writer = opts.stateFile ? new StateFileWriter(opts.stateFile, () => serializeState(state, idRandom)) : undefined;
  if (writer) {
    state.onChange(() => writer.schedule());
    if (!persisted) writer.schedule();
  }

  // Dated by the real clock, never the simulated one: clients check validity against real time.
  const tls = opts.tls ?? (await generateCertificate(addresses, new Date()));
  const log = new RequestLog();
  const faults = new FaultController(faultRandom);
  const hung = new Set<ServerResponse>();
  if (opts.backend && opts.dataPath) throw new Error('simulator: give either backend or dataPath, not both');
  let dataPath: DataPathHandle | undefined;
  if (opts.dataPath) dataPath = await startDataPath(opts.dataPath, state);
  const backend: TargetBackend = dataPath?.backend ?? opts.backend ?? noopBackend;
  // Subscribed after the replay: what the model raises from now on reaches the data path.
  const data = new DataEventSink(backend);
  state.onData((pool, event) => data.deliver(pool, event));
  const settleData = () => data.settle();
  // eslint-disable-next-line prefer-const -- assigned once the HTTPS server exists; the closures below are made first
  let listeners: AddressListeners;
  const port = () => listeners.port;

  const control = createControlHandler({
    state,
    clock,
    faults,
    log,
    get listeners() {
      return listeners;
    },
    port,
    dumpState: () => redactSecrets(serializeState(state, idRandom)),
    settleData,
  });
  const https: Server = createHttpsServer({ cert: tls.cert, key: tls.key, keepAliveTimeout: 30_000 });
  https.on(
    'request',
    createRequestListener({
      state,
      faults,
      log,
      auth: new BasicAuth(opts.user ?? 'admin', opts.password ?? 'admin'),
      backend,
      router: buildRouter(),
      port,
      control,
      hung,
      settleData,
    }),
  );
  https.on('tlsClientError', () => undefined); // a client rejecting our cert is its business
  listeners = new AddressListeners(addresses, (socket) => https.emit('connection', socket));
  try {
    await listeners.open(opts.port || undefined);
  } catch (e) {
    await backend.close?.().catch(() => undefined);
    throw e;
  }
  faults.bindAddresses((address, change) => listeners.setState(address, change));
  try {
    await faults.add(opts.faults ?? []);
  } catch (e) {
    await listeners.closeAll();
    await backend.close?.().catch(() => undefined);
    throw e;
  }

  let closed = false;
  return {
    port: listeners.port,
    addresses,
    caPem: tls.ca ?? tls.cert,
    baseUrl: (address = addresses[0]) => `https://${address.includes(':') ? `[${address}]` : address}:${listeners.port}`,
    faults,
    requests: log,
    state,
    clock,
    setAddressDown: (address, down) => listeners.setState(address, { down }),
    setAddressBlackhole: (address, on) => listeners.setState(address, { blackhole: on }),
    setSessions: (pool, target, sessions) => setSessions(state, pool, target, sessions),
    destroyOutOfBand: (pool, volume) => {
      const p = state.pool(pool);
      const v = p && volumeByName(p, volume);
      if (!p || !v) throw new Error(`no volume ${pool}/${volume}`);
      destroyOutOfBand(state, p, v);
    },
    seed: (req) => seedVolumes(state, req),
    nasPaths: (pool, dataset, snapshot) => {
      const store = state.nasStore;
      if (!store) return undefined;
      return snapshot === undefined ? store.volumePath(pool, dataset) : store.snapshotPath(pool, dataset, snapshot);
    },
    dataPath,
    flush: async () => writer?.flush(),
    async close() {
      if (closed) return;
      closed = true;
      for (const res of hung) res.destroy();
      await listeners.closeAll();
      https.closeAllConnections?.();
      await writer?.flush();
      // Targets removed and tgtd stopped last: no REST request can re-create anything now.
      await data.settle().catch(() => undefined);
      await backend.close?.();
    },
  };
}

/** The state dump of the control API: everything except CHAP secrets. */
function redactSecrets<T>(doc: T): T {
  return JSON.parse(JSON.stringify(doc, (key, value) => (key === 'password' ? '***' : value))) as T;
}
