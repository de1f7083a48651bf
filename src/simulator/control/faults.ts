// Fault injection. A fault is queued with an optional match (method, path regex, address), a
// count (default 1; 0 = forever) and an optional probability drawn from the seeded RNG. A
// request that matches a fault (and wins the draw) consumes one of its count.
// `down` / `blackhole` are per-address states rather than queued faults.
import type { SeededRandom } from '../model/effects';

export const REQUEST_FAULTS = ['status5xx', 'cfgParserError', 'dataless200', 'hang', 'rateLimit', 'dropAfterApply'] as const;
export const MODE_FAULTS = ['latency', 'staleList', 'renameOverwrites', 'oldFirmware', 'unpaddedDates', 'newerNotFound'] as const;
export const ADDRESS_FAULTS = ['down', 'blackhole'] as const;

export type RequestFaultKind = (typeof REQUEST_FAULTS)[number];
export type FaultKind = RequestFaultKind | (typeof MODE_FAULTS)[number] | (typeof ADDRESS_FAULTS)[number];

export interface FaultMatch {
  method?: string;
  path?: string; // regular expression source, tested against the path (no query string)
  address?: string;
}

export interface FaultSpec {
  kind: FaultKind;
  match?: FaultMatch;
  count?: number;
  probability?: number;
  ms?: number; // latency
  jitterMs?: number; // latency
  status?: 500 | 502 | 503; // status5xx
  retryAfterSec?: number; // rateLimit
  omit?: number; // staleList: how many of the newest entries to leave out
  address?: string; // down / blackhole
}

export interface ActiveFault extends FaultSpec {
  id: string;
  remaining: number | null; // null = forever
  applied: number;
}

export interface RequestInfo {
  method: string;
  path: string;
  address: string;
}

export type AddressStateChange = (address: string, change: { down?: boolean; blackhole?: boolean }) => Promise<void>;

const KNOWN = new Set<string>([...REQUEST_FAULTS, ...MODE_FAULTS, ...ADDRESS_FAULTS]);

export class FaultController {
  private faults: (ActiveFault & { pathRe?: RegExp })[] = [];
  private nextId = 1;
  private addressHandler: AddressStateChange | null = null;

  constructor(private readonly random: SeededRandom) {}

  /** Wired by the server so address faults reach the listeners. */
  bindAddresses(handler: AddressStateChange): void {
    this.addressHandler = handler;
  }

  /** Validate and queue faults; address faults are applied at once. Throws on a bad spec. */
  async add(specs: FaultSpec | FaultSpec[]): Promise<ActiveFault[]> {
    const list = Array.isArray(specs) ? specs : [specs];
    list.forEach(validateSpec);
    const added: ActiveFault[] = [];
    for (const spec of list) {
      if (spec.kind === 'down' || spec.kind === 'blackhole') {
        if (!this.addressHandler) throw new Error('address faults need a running simulator');
        await this.addressHandler(spec.address!, { [spec.kind]: true });
        continue;
      }
      const fault = {
        ...spec,
        id: `f${this.nextId++}`,
        remaining: spec.count === 0 ? null : (spec.count ?? 1),
        applied: 0,
        pathRe: spec.match?.path ? new RegExp(spec.match.path) : undefined,
      };
      this.faults.push(fault);
      added.push(publicView(fault));
    }
    return added;
  }

  list(): ActiveFault[] {
    return this.faults.map(publicView);
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length !== before;
  }

  clear(): void {
    this.faults = [];
  }

  /** First queued fault of one of `kinds` matching the request; consumes one of its count. */
  take(kinds: readonly FaultKind[], req: RequestInfo): ActiveFault | undefined {
    for (const fault of this.faults) {
      if (!kinds.includes(fault.kind) || !matches(fault, req)) continue;
      if (fault.probability !== undefined && this.random.float() >= fault.probability) continue;
      fault.applied++;
      if (fault.remaining !== null && --fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
      return publicView(fault);
    }
    return undefined;
  }

  /** Latency to add for this request (ms), including seeded jitter. */
  latencyFor(fault: ActiveFault): number {
    const jitter = fault.jitterMs ? this.random.float() * fault.jitterMs : 0;
    return Math.max(0, (fault.ms ?? 0) + jitter);
  }
}

function matches(fault: ActiveFault & { pathRe?: RegExp }, req: RequestInfo): boolean {
  // A dataless answer is the appliance's read glitch: it only ever hits GETs.
  if (fault.kind === 'dataless200' && req.method !== 'GET') return false;
  const m = fault.match;
  if (!m) return true;
  if (m.method && m.method.toUpperCase() !== req.method) return false;
  if (m.address && m.address !== req.address) return false;
  if (fault.pathRe && !fault.pathRe.test(req.path)) return false;
  return true;
}

function publicView(fault: ActiveFault & { pathRe?: RegExp }): ActiveFault {
  const { pathRe: _ignored, ...rest } = fault;
  return rest;
}

function validateSpec(spec: FaultSpec): void {
  if (!spec || typeof spec !== 'object' || !KNOWN.has(spec.kind)) throw new Error(`unknown fault kind: ${JSON.stringify(spec?.kind)}`);
  if (spec.count !== undefined && (!Number.isInteger(spec.count) || spec.count < 0)) throw new Error('fault count must be an integer >= 0');
  if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1))
    throw new Error('fault probability must be within [0, 1]');
  if (spec.match?.path !== undefined) new RegExp(spec.match.path); // throws on a bad pattern
  if (spec.kind === 'status5xx' && spec.status !== undefined && ![500, 502, 503].includes(spec.status))
    throw new Error('status5xx status must be 500, 502 or 503');
  if ((spec.kind === 'down' || spec.kind === 'blackhole') && typeof spec.address !== 'string')
    throw new Error(`${spec.kind} needs an address`);
  if (spec.kind === 'latency' && !(typeof spec.ms === 'number' && spec.ms >= 0)) throw new Error('latency needs ms >= 0');
}
