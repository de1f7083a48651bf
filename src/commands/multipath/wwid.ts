// The WWID argument of the multipath verbs, checked before any tool runs.
import { UsageError } from '../../errors';

/** WWIDs as udev/multipath name them: hex digits (JovianDSS: 2 + 16 hex). */
export function wwidArg(value: unknown): string {
  const text = String(value ?? '');
  if (!/^[0-9a-fA-F]{8,64}$/.test(text))
    throw new UsageError(`expected a WWID (hex digits, e.g. 26562313537303732), got ${JSON.stringify(text)}`);
  return text.toLowerCase();
}
