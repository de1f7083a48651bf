// What every REST handler receives and returns, plus body-validation helpers that answer the
// way the appliance's JSON-schema validation does.
import { errors } from './errors';
import type { ActiveFault, FaultKind } from '../control/faults';
import type { TargetBackend } from '../model/backend';
import { volumeByName, type PoolRec, type SimState, type SnapshotRec, type VolumeRec } from '../model/model';

export interface HandlerContext {
  state: SimState;
  backend: TargetBackend;
  apiVersion: 'v3' | 'v4';
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** The pool of a pool-scoped route (resolved before the handler runs). */
  pool: PoolRec;
  /** Consume a mode fault (staleList, renameOverwrites, …) if one matches this request. */
  fault(kind: FaultKind): ActiveFault | undefined;
}

export interface Reply {
  status: number;
  data?: unknown;
}

export type Handler = (ctx: HandlerContext) => Reply | Promise<Reply>;

export const ok = (data: unknown): Reply => ({ status: 200, data });
export const created = (data: unknown): Reply => ({ status: 201, data });
export const noContent = (): Reply => ({ status: 204 });

export function objectBody(ctx: HandlerContext): Record<string, unknown> {
  if (ctx.body === undefined || ctx.body === null) return {};
  if (typeof ctx.body !== 'object' || Array.isArray(ctx.body))
    throw errors.validation(`${JSON.stringify(ctx.body)} is not of type 'object'`);
  return ctx.body as Record<string, unknown>;
}

export function requiredString(body: Record<string, unknown>, key: string): string {
  if (!(key in body)) throw errors.validation(`'${key}' is a required property`);
  const value = body[key];
  if (typeof value !== 'string') throw errors.validation(`${JSON.stringify(value)} is not of type 'string'`);
  return value;
}

export function optionalBoolean(body: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = body[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw errors.validation(`${JSON.stringify(value)} is not of type 'boolean'`);
  return value;
}

export function rejectUnknownKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) if (!allowed.includes(key)) throw errors.unexpectedProperty(key);
}

export function requireVolume(ctx: HandlerContext, name = ctx.params.volume): VolumeRec {
  const vol = volumeByName(ctx.pool, name);
  if (!vol) throw errors.zfsNotFound(ctx.pool.name, name);
  return vol;
}

export function requireSnapshot(ctx: HandlerContext, vol: VolumeRec, name = ctx.params.snapshot): SnapshotRec {
  const snap = vol.snapshots.get(name);
  if (!snap) throw errors.zfsNotFound(ctx.pool.name, `${vol.name}@${name}`);
  return snap;
}

/** Apply the staleList fault: the newest `omit` entries are missing from the listing. */
export function maybeStale<T>(ctx: HandlerContext, items: readonly T[]): readonly T[] {
  const fault = ctx.fault('staleList');
  if (!fault) return items;
  return items.slice(0, Math.max(0, items.length - (fault.omit ?? 1)));
}
