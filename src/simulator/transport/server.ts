// The request pipeline shared by every listen address: control API, Basic auth, body,
// fault injection, routing to the REST handlers, the appliance's envelopes, and the log.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BasicAuth } from './auth';
import type { TargetBackend } from '../model/backend';
import { ApiError, errors } from '../api/errors';
import { REQUEST_FAULTS, type FaultController, type FaultKind, type RequestInfo } from '../control/faults';
import type { HandlerContext, Reply } from '../api/context';
import {
  decodeSegment,
  internalError,
  readJsonBody,
  sendEnvelope,
  sendError,
  sendGatewayError,
  sendNoContent,
  sendUnauthorized,
  splitUrl,
  tooManyRequests,
} from './http';
import type { PoolRec, SimState } from '../model/model';
import type { RequestLog } from '../control/requestLog';
import type { Router } from './router';

export interface ControlRequest extends RequestInfo {
  query: URLSearchParams;
}

export interface PipelineDeps {
  state: SimState;
  faults: FaultController;
  log: RequestLog;
  auth: BasicAuth;
  backend: TargetBackend;
  router: Router;
  port(): number;
  control(req: IncomingMessage, res: ServerResponse, info: ControlRequest): Promise<void>;
  /** Responses held open by the `hang` fault (released when the simulator closes). */
  hung: Set<ServerResponse>;
  /** Wait until the data path applied the zvol data events this request raised. */
  settleData(): Promise<void>;
}

export function localAddressOf(socket: Socket): string {
  const addr = socket.localAddress ?? '';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

const API_PREFIX = /^\/api\/(v3|v4)(\/.*)?$/;

export function createRequestListener(deps: PipelineDeps): (req: IncomingMessage, res: ServerResponse) => void {
  async function dispatch(
    info: RequestInfo,
    query: URLSearchParams,
    body: unknown,
    take: (k: FaultKind) => ReturnType<FaultController['take']>,
  ): Promise<Reply> {
    const m = API_PREFIX.exec(info.path);
    if (!m) throw errors.routeNotFound();
    const segments = (m[2] ?? '')
      .split('/')
      .filter((s) => s !== '')
      .map(decodeSegment);
    const match = deps.router.match(info.method, segments);
    if (match === undefined) throw errors.routeNotFound();
    if (match === 'method-not-allowed') throw errors.methodNotAllowed();
    let pool: PoolRec | undefined;
    if (match.params.pool !== undefined) {
      pool = deps.state.pool(match.params.pool);
      if (!pool) throw errors.poolNotFound(match.params.pool);
    }
    const ctx: HandlerContext = {
      state: deps.state,
      backend: deps.backend,
      apiVersion: m[1] as 'v3' | 'v4',
      method: info.method,
      params: match.params,
      query,
      body,
      pool: pool as PoolRec, // only pool-scoped handlers read it, and for them it is resolved
      fault: take,
    };
    return match.handler(ctx);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const ts = deps.state.clock.now();
    const address = localAddressOf(req.socket);
    const method = (req.method ?? 'GET').toUpperCase();
    const { path, rawQuery, query } = splitUrl(req.url);
    const info: RequestInfo = { method, path, address };

    if (path === '/__simulator' || path.startsWith('/__simulator/')) {
      if (!deps.auth.check(req)) return sendUnauthorized(res);
      return deps.control(req, res, { ...info, query });
    }

    const applied: string[] = [];
    const finish = (status: number) =>
      deps.log.record({
        ts,
        address,
        method,
        path,
        query: rawQuery,
        status,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        ...(applied.length ? { fault: applied.join(',') } : {}),
      });
    const url = `https://${address.includes(':') ? `[${address}]` : address}:${deps.port()}${req.url ?? '/'}`;
    const fail = (err: ApiError, headers?: Record<string, string>) => {
      sendError(res, err, url, headers);
      finish(err.status);
    };

    if (!deps.auth.check(req)) {
      sendUnauthorized(res);
      return void finish(401);
    }
    let body: unknown;
    try {
      body = await readJsonBody(req);
    } catch (e) {
      return fail(e instanceof ApiError ? e : errors.badRequest());
    }

    const latency = deps.faults.take(['latency'], info);
    if (latency) {
      applied.push('latency');
      await sleep(deps.faults.latencyFor(latency));
    }
    const fault = deps.faults.take(REQUEST_FAULTS, info);
    if (fault) applied.push(fault.kind);
    switch (fault?.kind) {
      case 'status5xx':
        if ((fault.status ?? 500) === 500) return fail(internalError());
        sendGatewayError(res, fault.status as 502 | 503);
        return void finish(fault.status!);
      case 'cfgParserError':
        return fail(errors.cfgParser());
      case 'dataless200':
        sendEnvelope(res, 200, null);
        return void finish(200);
      case 'rateLimit':
        return fail(tooManyRequests(), { 'Retry-After': String(fault.retryAfterSec ?? 1) });
      case 'hang':
        // Never answered: the client must give up on its own (its timeout is what is tested).
        deps.hung.add(res);
        res.on('close', () => deps.hung.delete(res));
        return void finish(0);
    }

    const take = (kind: FaultKind) => {
      const mode = deps.faults.take([kind], info);
      if (mode) applied.push(kind);
      return mode;
    };
    let reply: Reply | ApiError;
    try {
      reply = await dispatch(info, query, body, take);
    } catch (e) {
      reply = e instanceof ApiError ? e : internalError();
    }
    try {
      await deps.settleData();
    } catch {
      // The model changed but the data path could not follow (disk full, tool failed): the
      // appliance would have failed the zfs command, so the client must not see a success.
      reply = internalError();
    }
    if (fault?.kind === 'dropAfterApply') {
      // The mutation happened; the client never learns it (connection cut before the answer).
      req.socket.destroy();
      return void finish(0);
    }
    if (reply instanceof ApiError) return fail(reply);
    if (reply.status === 204) sendNoContent(res);
    else sendEnvelope(res, reply.status, reply.data);
    finish(reply.status);
  }

  return (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, internalError(), req.url ?? '/');
      else res.destroy();
    });
  };
}
