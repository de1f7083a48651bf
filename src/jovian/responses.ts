// Turns an appliance answer into data, a transient condition worth retrying, or a typed error.
// Every error shape the appliance answers with is recognised here and nowhere else: both "not
// found" forms (older firmware: `Zfs resource: … not found in this collection.`; newer:
// ItemNotFoundError `Resource <pool>/<v> not found.`), exists, busy, no space, auth, outdated
// firmware, CfgParserError, rate limiting.
import {
  ApplianceError,
  AuthError,
  BusyError,
  ExistsError,
  NoSpaceError,
  NotFoundError,
  PoolNotFoundError,
  type JdsscError,
} from '../errors';
import type { HttpResponse, Method } from './httpTypes';

export interface ApplianceErrorBody {
  class?: string;
  message?: string;
  errno?: number | string;
  url?: string;
}

export type Classified =
  | { kind: 'ok'; status: number; data: unknown }
  | { kind: 'transient'; reason: string; retryAfterMs?: number }
  | { kind: 'error'; error: JdsscError };

export function classifyResponse(res: HttpResponse, method: Method, path: string, user: string): Classified {
  if (res.status === 401) {
    return { kind: 'error', error: new AuthError(`authentication failed for REST user '${user}': check user_name and the password file`) };
  }
  if (res.status === 204) return { kind: 'ok', status: 204, data: null };

  const envelope = parseEnvelope(res.body);
  if (res.status === 429 || res.status === 503) {
    return { kind: 'transient', reason: `HTTP ${res.status}`, retryAfterMs: retryAfter(res.headers['retry-after']) };
  }
  if (!envelope) {
    // A 5xx without our JSON envelope comes from a proxy or a restarting service, not from the API.
    if (res.status >= 500) return { kind: 'transient', reason: `HTTP ${res.status} without a JSON body` };
    if (res.status >= 200 && res.status < 300) return { kind: 'transient', reason: `HTTP ${res.status} with an unreadable body` };
    return {
      kind: 'error',
      error: new ApplianceError(`JovianDSS answered ${method} ${path} with HTTP ${res.status} and no readable body`),
    };
  }

  const err = envelope.error;
  if (res.status >= 200 && res.status < 300 && !err) {
    // Under load the appliance sometimes answers 200 with neither data nor error.
    if (method === 'GET' && envelope.data === null) return { kind: 'transient', reason: 'HTTP 200 without data' };
    return { kind: 'ok', status: res.status, data: envelope.data };
  }
  if (err && isCfgParserError(err)) return { kind: 'transient', reason: 'CfgParserError (concurrent iSCSI configuration update)' };
  if (res.status === 502 || res.status === 504) return { kind: 'transient', reason: `HTTP ${res.status}` };
  // The web framework's own crash page (not a ZFS/SCST error): a read can safely be asked again.
  if (method === 'GET' && /InternalServerError/.test(err?.class ?? ''))
    return { kind: 'transient', reason: 'HTTP 500 internal server error' };
  return { kind: 'error', error: mapApplianceError(res.status, err ?? {}, method, path) };
}

export function mapApplianceError(status: number, err: ApplianceErrorBody, method: Method, path: string): JdsscError {
  const message = (err.message ?? '').trim();
  const cls = err.class ?? '';
  const errno = err.errno === undefined ? undefined : Number(err.errno);
  const details = { status, class: cls || undefined, errno, applianceMessage: message || undefined, request: `${method} ${path}` };
  const firstLine = message.split('\n')[0];

  const zfsMissing = /^Zfs resource: (.+) not found in this collection\.?$/.exec(firstLine);
  const itemMissing = /^Resource (.+) not found\.?$/.exec(firstLine);
  if (zfsMissing || itemMissing) {
    const resource = (zfsMissing ?? itemMissing)![1];
    return new NotFoundError(`JovianDSS resource ${resource} does not exist`, { ...details, resource });
  }
  const pool = /^Pool (\S+) (?:not exists|not found|does not exist)/i.exec(firstLine);
  if (pool) return new PoolNotFoundError(`pool ${pool[1]} does not exist on JovianDSS`, { ...details, pool: pool[1] });
  if (/werkzeug\.exceptions\.NotFound/.test(cls) && !/ not exists\.?$/.test(firstLine)) {
    // The web framework's 404: this firmware has no such endpoint — not "the object is absent".
    return new ApplianceError(`JovianDSS has no REST endpoint ${method} ${path} (HTTP 404); is the firmware too old?`, details, 'outdated');
  }
  if (status === 404 || /ItemNotFoundError|NotFound$/.test(cls) || / not exists\.?$/.test(firstLine)) {
    return new NotFoundError(message ? `JovianDSS: ${firstLine}` : `JovianDSS resource at ${path} does not exist`, details);
  }
  if (/exceeds available space/i.test(message)) return new NoSpaceError(`not enough free space on the pool: ${firstLine}`, details);
  if (/Additional properties are not allowed \('vip_allowed_portals'/.test(message)) {
    return new ApplianceError(
      'this JovianDSS firmware does not support VIP-restricted targets (vip_allowed_portals); update JovianDSS',
      details,
      'outdated',
    );
  }
  // The zvol is exported elsewhere; a taken LUN *number* is a plain conflict (exists), below.
  if (/^Volume \S+ is already used/.test(firstLine)) return new BusyError(`JovianDSS: ${firstLine}`, details);
  if (/already exists|already present/i.test(message)) return new ExistsError(`JovianDSS: ${firstLine}`, details);
  if (/ItemConflictError/.test(cls) || status === 409) return new ExistsError(`JovianDSS: ${firstLine}`, details);
  if (/has children|must delete all of its clones|dataset is busy|is busy/i.test(message) || errno === 1000) {
    return new BusyError(`JovianDSS: ${message.replace(/\n+/g, '; ')}`, details);
  }
  const label = cls ? `${cls}: ` : '';
  return new ApplianceError(`JovianDSS refused ${method} ${path} (HTTP ${status}): ${label}${firstLine || 'no message'}`, details);
}

function isCfgParserError(err: ApplianceErrorBody): boolean {
  return /CfgParserError/.test(err.class ?? '') || /CfgParserError/.test(err.message ?? '');
}

function parseEnvelope(body: string): { data: unknown; error: ApplianceErrorBody | null } | undefined {
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object' && ('data' in parsed || 'error' in parsed)) {
      const p = parsed as { data?: unknown; error?: ApplianceErrorBody | null };
      return { data: p.data ?? null, error: p.error ?? null };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfter(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Math.round(Number(header) * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
