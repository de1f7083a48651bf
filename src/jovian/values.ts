// The appliance returns ZFS properties as strings; these helpers turn them into numbers and
// fail loudly (not with NaN) when a field we rely on is missing; a not-found answer reads as absent.
import { ApplianceError, isMissing } from '../errors';

export function num(obj: Record<string, unknown>, field: string, what: string): number {
  const v = obj[field];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new ApplianceError(`unexpected answer from JovianDSS: ${what} has no numeric '${field}'`);
  return n;
}

export function optNum(obj: Record<string, unknown>, field: string): number | undefined {
  const v = obj[field];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

export function str(obj: Record<string, unknown>, field: string): string | undefined {
  const v = obj[field];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export function asObject(data: unknown, what: string): Record<string, unknown> {
  if (data && typeof data === 'object' && !Array.isArray(data)) return data as Record<string, unknown>;
  throw new ApplianceError(`unexpected answer from JovianDSS: ${what} is not an object`);
}

export function asArray(data: unknown, what: string): Record<string, unknown>[] {
  if (Array.isArray(data)) return data as Record<string, unknown>[];
  throw new ApplianceError(`unexpected answer from JovianDSS: ${what} is not a list`);
}

/** The answer, or undefined when the object asked for does not exist (a missing pool still throws). */
export async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}
