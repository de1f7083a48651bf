// The simulator's own control API under /__simulator/… (same listener, same Basic auth).
// Plain JSON (no appliance envelope); never counted as REST traffic.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimClock } from '../model/effects';
import { ApiError } from '../api/errors';
import type { FaultController, FaultSpec } from './faults';
import { readJsonBody, sendJson, sendNoContent } from '../transport/http';
import type { AddressListeners } from '../transport/listeners';
import type { SimState } from '../model/model';
import type { RequestLog } from './requestLog';
import { setSessions } from '../model/san';
import { seedVolumes, type SeedRequest } from './seed';
import { nasListing } from './nasListing';
import type { ControlRequest } from '../transport/server';

export interface ControlDeps {
  state: SimState;
  clock: SimClock;
  faults: FaultController;
  log: RequestLog;
  listeners: AddressListeners;
  port(): number;
  dumpState(): unknown;
  /** Wait for the data path to apply what a change raised (seeded volumes get their images). */
  settleData(): Promise<void>;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ControlError(400, 'body must be a JSON object');
  return body as Record<string, unknown>;
}

function optionalBool(body: Record<string, unknown>, key: string): boolean | undefined {
  const v = body[key];
  if (v !== undefined && typeof v !== 'boolean') throw new ControlError(400, `${key} must be a boolean`);
  return v as boolean | undefined;
}

export function createControlHandler(deps: ControlDeps) {
  async function route(req: IncomingMessage, res: ServerResponse, info: ControlRequest): Promise<void> {
    const parts = info.path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
    const key = `${info.method} ${parts[0] ?? ''}`;
    const body = await readJsonBody(req);
    switch (key) {
      case 'GET health':
        return sendJson(res, 200, {
          ok: true,
          port: deps.port(),
          addresses: deps.listeners.state(),
          pools: [...deps.state.pools.values()].map((p) => ({
            name: p.name,
            volumes: p.volumes.size,
            targets: p.targets.size,
            nasVolumes: p.nasVolumes.size,
          })),
          shares: deps.state.shares.size,
          lastSeq: deps.log.lastSeq,
          clock: deps.clock.describe(),
        });
      case 'GET requests': {
        const since = Number(info.query.get('since') ?? '0');
        return sendJson(res, 200, {
          lastSeq: deps.log.lastSeq,
          counters: deps.log.counters(),
          entries: deps.log.since(Number.isFinite(since) ? since : 0),
        });
      }
      case 'DELETE requests':
        deps.log.reset();
        return sendNoContent(res);
      case 'GET faults':
        return sendJson(res, 200, { faults: deps.faults.list(), addresses: deps.listeners.state() });
      case 'POST faults':
        try {
          return sendJson(res, 201, { added: await deps.faults.add(body as FaultSpec | FaultSpec[]) });
        } catch (e) {
          throw new ControlError(400, (e as Error).message);
        }
      case 'DELETE faults':
        if (parts[1] === undefined) deps.faults.clear();
        else if (!deps.faults.remove(parts[1])) throw new ControlError(404, `no fault ${parts[1]}`);
        return sendNoContent(res);
      case 'POST addresses': {
        const b = asObject(body);
        const change = { down: optionalBool(b, 'down'), blackhole: optionalBool(b, 'blackhole') };
        const address = parts[1];
        if (!address || !(address in deps.listeners.state())) throw new ControlError(404, `not a listen address: ${address}`);
        if (address === info.address) {
          // Taking down the address this call came in on: answer first, then cut it.
          sendJson(res, 202, { address, ...change });
          res.once('finish', () => void deps.listeners.setState(address, change).catch(() => undefined));
          return;
        }
        await deps.listeners.setState(address, change);
        return sendJson(res, 200, { addresses: deps.listeners.state() });
      }
      case 'POST sessions': {
        const b = asObject(body);
        const pool = typeof b.pool === 'string' ? b.pool : ([...deps.state.pools.keys()][0] ?? '');
        if (typeof b.target !== 'string' || !Array.isArray(b.sessions))
          throw new ControlError(400, 'expected {pool?, target, sessions: [...]}');
        setSessions(deps.state, pool, b.target, b.sessions);
        return sendJson(res, 200, { pool, target: b.target, sessions: b.sessions.length });
      }
      case 'POST clock': {
        const b = asObject(body);
        const offsetMs = b.offsetMs;
        const freezeAt = b.freezeAt;
        if (offsetMs !== undefined && typeof offsetMs !== 'number') throw new ControlError(400, 'offsetMs must be a number');
        if (freezeAt !== undefined && freezeAt !== null && typeof freezeAt !== 'number')
          throw new ControlError(400, 'freezeAt must be a number or null');
        deps.clock.adjust({ offsetMs: offsetMs as number | undefined, freezeAt: freezeAt as number | null | undefined });
        return sendJson(res, 200, deps.clock.describe());
      }
      case 'POST seed': {
        const seeded = seedVolumes(deps.state, asObject(body) as unknown as SeedRequest);
        await deps.settleData();
        return sendJson(res, 201, seeded);
      }
      case 'GET nas':
        return sendJson(res, 200, nasListing(deps.state));
      case 'GET state':
        return sendJson(res, 200, deps.dumpState());
      default:
        throw new ControlError(404, `unknown control route: ${info.method} ${info.path}`);
    }
  }

  return async (req: IncomingMessage, res: ServerResponse, info: ControlRequest): Promise<void> => {
    try {
      await route(req, res, info);
    } catch (e) {
      if (res.headersSent) return;
      const status = e instanceof ControlError || e instanceof ApiError ? e.status : 500;
      sendJson(res, status, { error: (e as Error).message });
    }
  };
}
