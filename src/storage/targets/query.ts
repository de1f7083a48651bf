// Read-only target views: where a volume is published (never moves anything), all targets,
// and the sessions the appliance sees on a target.
import * as t from '../../jovian';
import { displayName, wwidOf, type StorageContext } from '../context';
import { lunsOf } from './detach';
import { publishedPhysical } from './exportClone';
import { resolvePortals } from './vips';

export interface PublicationInfo {
  volume: string;
  snapshot: string | null;
  published: boolean;
  target: string | null;
  lun: number | null;
  portals: string[];
  wwid: string | null;
}

export async function publicationOf(
  ctx: StorageContext,
  s: { dataAddresses: string[]; dataPort: number },
  req: { volume: string; snapshot?: string },
): Promise<PublicationInfo> {
  const physical = publishedPhysical(ctx, req.volume, req.snapshot);
  const base = { volume: req.volume, snapshot: req.snapshot ?? null };
  const here = await lunsOf(ctx, physical);
  if (here.length === 0) return { ...base, published: false, target: null, lun: null, portals: [], wwid: null };
  const portals = await resolvePortals(ctx, s.dataAddresses);
  return {
    ...base,
    published: true,
    target: here[0].target,
    lun: here[0].lun,
    portals: portals.addresses.map((a) => `${a}:${s.dataPort}`),
    wwid: wwidOf(here[0].scsiId),
  };
}

export interface TargetView {
  name: string;
  chap: boolean;
  vips: string[];
  luns: { lun: number; volume: string }[];
}

export async function listTargetViews(ctx: StorageContext, opts: { prefix?: string } = {}): Promise<TargetView[]> {
  const out: TargetView[] = [];
  for (const target of await t.listTargets(ctx.rest)) {
    if (opts.prefix && !target.name.startsWith(`${opts.prefix.replace(/:$/, '')}:`)) continue;
    const luns = (await t.listLuns(ctx.rest, target.name)) ?? [];
    out.push({
      name: target.name,
      chap: target.chap,
      vips: target.vips,
      luns: luns.map((l) => ({ lun: l.lun, volume: displayName(ctx, l.name) })).sort((a, b) => a.lun - b.lun),
    });
  }
  return out;
}

export interface SessionsView {
  target: string;
  sessions: { initiator: string; addresses: string[] }[];
}

export async function targetSessions(ctx: StorageContext, target: string): Promise<SessionsView> {
  const byInitiator = new Map<string, string[]>();
  for (const s of await t.listSessions(ctx.rest, target)) {
    const list = byInitiator.get(s.initiator) ?? [];
    if (!list.includes(s.address)) list.push(s.address);
    byInitiator.set(s.initiator, list);
  }
  return { target, sessions: [...byInitiator].map(([initiator, addresses]) => ({ initiator, addresses })) };
}
