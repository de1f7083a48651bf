// Orphans on this host, for this storage's targets only: LUN records whose volume is gone (or
// whose sessions vanished, e.g. after a reboot), sessions and node records of our targets that
// no record accounts for, and multipath maps of JovianDSS WWIDs that lost every path.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  deactivate,
  inspectMap,
  listRecords,
  listSessions,
  mapUsers,
  removeMap,
  type HostEnv,
  type LunRecord,
  nodeDelete,
  logout,
  sessionDetails,
  holders,
  diskUsers,
  inUse,
  portal,
} from '../../host';
import { type StorageContext, publishedPhysical, requirePool, findPhysical } from '../../storage';

export type HostOrphanKind = 'record' | 'session' | 'node-record' | 'map';

export interface HostOrphan {
  kind: HostOrphanKind;
  key: string;
  name: string;
  detail: string;
  keep?: string;
  ref: { record?: LunRecord; target?: string; address?: string; port?: number; sid?: number; wwid?: string };
}

/** JovianDSS LUNs show up with EUI-64 WWIDs: 2 + 16 hex digits. */
const JOVIAN_WWID = /^2[0-9a-f]{16}$/;

export async function scanHost(ctx: StorageContext, host: HostEnv, o: { storageId: string; targetPrefix: string }): Promise<HostOrphan[]> {
  // Records are judged against the array: make sure it is the right pool and it answers, so a
  // mistyped pool (or an appliance in the middle of a failover) never makes every volume "gone".
  await requirePool(ctx.rest);
  const out: HostOrphan[] = [];
  const ours = (t: string) => t.toLowerCase().startsWith(`${o.targetPrefix.toLowerCase()}:`);
  const sessions = await listSessions(host);
  const records = listRecords(host);

  for (const rec of records.filter((r) => r.storageId === o.storageId)) {
    const gone = (await findPhysical(ctx, publishedPhysical(ctx, rec.volume, rec.snapshot))) === undefined;
    const live = sessions.some((s) => s.target.toLowerCase() === rec.target.toLowerCase());
    if (!gone && live) continue;
    out.push({
      kind: 'record',
      key: `record:${rec.storageId}:${rec.target}:${rec.lun}`,
      name: `${rec.volume}${rec.snapshot ? `@${rec.snapshot}` : ''} (${rec.target} LUN ${rec.lun})`,
      detail: gone ? 'its volume no longer exists on the array' : 'no session to its target (stale, e.g. after a reboot)',
      ref: { record: rec },
    });
  }

  const recorded = new Set(records.map((r) => r.target.toLowerCase()));
  const unrecorded = sessions.filter((s) => ours(s.target) && !recorded.has(s.target.toLowerCase()));
  const details = unrecorded.length > 0 ? await sessionDetails(host) : [];
  for (const s of unrecorded) {
    const disks = (details.find((d) => d.sid === s.sid)?.disks ?? []).map((d) => d.disk).filter((d): d is string => d !== undefined);
    const used = disks.filter((d) => holders(host, d).length > 0 || inUse(diskUsers(host, d)));
    out.push({
      kind: 'session',
      key: `session:${s.target}:${s.portal.address}:${s.portal.port}`,
      name: `${s.target} via ${s.portal.address}:${s.portal.port}`,
      detail: `no LUN record on this host accounts for it (${disks.length} disk(s))`,
      keep: used.length ? `disk(s) in use: ${used.join(', ')}` : undefined,
      ref: { target: s.target, address: s.portal.address, port: s.portal.port, sid: s.sid },
    });
  }

  for (const { target, address, port } of nodeRecords(host)) {
    if (!ours(target) || recorded.has(target.toLowerCase())) continue;
    if (sessions.some((s) => s.target.toLowerCase() === target.toLowerCase() && s.portal.address === address && s.portal.port === port))
      continue;
    out.push({
      kind: 'node-record',
      key: `node:${target}:${address}:${port}`,
      name: `${target} via ${address}:${port}`,
      detail: 'node record without a session',
      ref: { target, address, port },
    });
  }

  const mapper = join(host.roots.dev, 'mapper');
  const recordedWwids = new Set(records.map((r) => r.wwid));
  for (const wwid of existsSync(mapper) ? readdirSync(mapper).filter((n) => JOVIAN_WWID.test(n)) : []) {
    const state = await inspectMap(host, wwid);
    if (state.totalPaths > 0 || recordedWwids.has(wwid)) continue;
    const users = await mapUsers(host, wwid);
    const busy = users && (users.open > 0 || users.holders.length > 0);
    out.push({
      kind: 'map',
      key: `map:${wwid}`,
      name: `/dev/mapper/${wwid}`,
      detail: 'multipath map without paths',
      keep: busy ? `in use (${users.open} open, holders: ${users.holders.join(', ') || 'none'})` : undefined,
      ref: { wwid },
    });
  }
  return out;
}

export async function removeHostOrphan(host: HostEnv, o: HostOrphan): Promise<string> {
  const { record, target, address, port, wwid } = o.ref;
  switch (o.kind) {
    case 'record': {
      const r = await deactivate(host, record!);
      return `torn down (${r.devicesDeleted.length} device(s), map ${r.map})`;
    }
    case 'session':
      await logout(host, target!, portal(address!, port));
      await nodeDelete(host, target!, portal(address!, port));
      return 'logged out';
    case 'node-record':
      return (await nodeDelete(host, target!, portal(address!, port))) === 'deleted' ? 'deleted' : 'already gone';
    case 'map':
      return removeMap(host, wwid!);
  }
}

/** Node records under the iSCSI databases: <root>/<target>/<address>,<port>[,<tpgt>]/… */
function nodeRecords(host: HostEnv): { target: string; address: string; port: number }[] {
  const out: { target: string; address: string; port: number }[] = [];
  for (const root of host.roots.iscsiDb) {
    if (!existsSync(root)) continue;
    for (const target of readdirSync(root)) {
      const dir = join(root, target);
      let entries: string[];
      try {
        entries = readdirSync(dir);
      } catch {
        continue;
      }
      for (const e of entries) {
        const m = /^\[?([0-9a-fA-F.:]+?)\]?,(\d+)(?:,-?\d+)?$/.exec(e);
        if (m && !out.some((x) => x.target === target && x.address === m[1] && x.port === Number(m[2])))
          out.push({ target, address: m[1], port: Number(m[2]) });
      }
    }
  }
  return out;
}
