// One cleanup run: find orphans on this host and on the array, apply the sighting rule, and with
// --apply remove what is due — host objects first (a device must be gone before its LUN), then
// the array. Anything in use is reported, never removed.
import type { HostEnv } from '../../host';
import { type StorageContext, removeArrayOrphan, scanArray, type ArrayOrphan } from '../../storage';
import { removeHostOrphan, scanHost, type HostOrphan } from './hostOrphans';
import type { Sightings } from './seen';

export interface CleanupItem {
  where: 'host' | 'array';
  kind: string;
  name: string;
  detail: string;
  /** Seen long enough (and often enough) to be removed. */
  due: boolean;
  /** Why it is kept although orphaned (in use). */
  keep: string | null;
  result: string | null;
  error: string | null;
}

export interface CleanupReport {
  applied: boolean;
  items: CleanupItem[];
  notes: string[];
  /** Orphans still there after this run (all of them in a dry run). */
  remaining: number;
}

export interface CleanupOptions {
  apply: boolean;
  graceMs: number;
  scope: { host: boolean; array: boolean };
  storageId: string;
  targetPrefix: string;
  vmids?: Set<number>;
}

export async function runCleanup(ctx: StorageContext, host: HostEnv, seen: Sightings, o: CleanupOptions): Promise<CleanupReport> {
  const hostOrphans: HostOrphan[] = o.scope.host ? await scanHost(ctx, host, o) : [];
  const array = o.scope.array ? await scanArray(ctx, { targetPrefix: o.targetPrefix, vmids: o.vmids }) : { orphans: [], notes: [] };
  const found: Array<{ where: 'host'; o: HostOrphan } | { where: 'array'; o: ArrayOrphan }> = [
    ...hostOrphans.map((o) => ({ where: 'host' as const, o })),
    ...array.orphans.map((o) => ({ where: 'array' as const, o })),
  ];
  const due = seen.observe(
    found.map((f) => f.o.key),
    o.graceMs,
  );
  const items: CleanupItem[] = [];
  let remaining = 0;
  for (const f of found) {
    const item: CleanupItem = {
      where: f.where,
      kind: f.o.kind,
      name: f.o.name,
      detail: f.o.detail,
      due: due.has(f.o.key),
      keep: f.o.keep ?? null,
      result: null,
      error: null,
    };
    if (o.apply && item.due && !item.keep) {
      try {
        item.result = f.where === 'host' ? await removeHostOrphan(host, f.o) : await removeArrayOrphan(ctx, f.o);
        if (!item.result.startsWith('kept')) seen.forget(f.o.key);
        else remaining++;
      } catch (e) {
        item.error = (e as Error).message;
        remaining++;
      }
    } else {
      remaining++;
    }
    items.push(item);
  }
  seen.save();
  return { applied: o.apply, items, notes: array.notes, remaining };
}
