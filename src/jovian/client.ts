// The REST client: failover across control addresses, bounded retries with exponential
// backoff and jitter for transient conditions only, one deadline for the whole invocation, and
// no blind replay of a request that may already have changed the appliance.
import { ExistsError, NotFoundError, OutcomeUnknownError, UnreachableError, AuthError, type JdsscError } from '../errors';
import type { Logger } from '../log/logger';
import type { Clock } from '../util/clock';
import type { Deadline } from '../util/deadline';
import type { AddressMemory } from './addressMemory';
import { NetworkError, type HttpSender, type Method } from './httpTypes';
import { classifyResponse } from './responses';

export interface RestRequest {
  method: Method;
  /** Path below /api/v4/pools/<pool> (scope 'pool') or below /api/v4 (scope 'global'). */
  path: string;
  scope?: 'pool' | 'global';
  query?: Record<string, string | number>;
  body?: unknown;
  /**
   * For a change (anything but GET): reads the appliance and tells whether the change is in
   * place. A change whose outcome is unknown (answer lost, or a transient refusal) is sent again
   * only after `verify` said it is not; without `verify` it is never sent again. There is no
   * "idempotent, just resend" opt-out: even an absolute size or a delete can meet a change made
   * by someone else in between (a bigger size, a new object of the same name). `verify` may
   * throw (e.g. OutcomeUnknownError) when the state it reads makes a resend unsafe.
   */
  verify?: () => Promise<boolean>;
}

export interface RestResult {
  status: number;
  data: unknown;
  /** True when the answer was lost and `verify` confirmed the change instead. */
  verified?: boolean;
}

export interface RetryPolicy {
  /**
   * Rounds over all addresses (transient answers count as a round). By default there is no
   * count: jdssc keeps trying until the invocation deadline, so a VIP moving during a JovianDSS
   * HA failover (a minute or two) delays an operation instead of failing it.
   */
  rounds: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { rounds: Infinity, baseDelayMs: 200, maxDelayMs: 5000 };

export interface RestClientOptions {
  addresses: string[];
  pool: string;
  user: string;
  http: HttpSender;
  deadline: Deadline;
  clock: Clock;
  random?: () => number;
  memory: AddressMemory;
  log: Logger;
  requestTimeoutMs: number;
  retry?: RetryPolicy;
}

export class RestClient {
  readonly pool: string;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  /** Requests sent (all attempts), for benchmarks and logs. */
  sent = 0;

  constructor(private readonly o: RestClientOptions) {
    this.pool = o.pool;
    this.retry = o.retry ?? DEFAULT_RETRY;
    this.random = o.random ?? Math.random;
  }

  get(path: string, opts: Partial<RestRequest> = {}): Promise<RestResult> {
    return this.request({ ...opts, method: 'GET', path });
  }

  async request(req: RestRequest): Promise<RestResult> {
    const fullPath = this.fullPath(req);
    const idempotent = req.method === 'GET';
    const failures: string[] = [];
    let lastTransient: string | undefined;
    // An earlier attempt of this change may have applied without our knowing (answer lost, or a
    // transient refusal that came after the change): a resend then meets our own change.
    let uncertain = false;

    for (let round = 0; round < this.retry.rounds; round++) {
      let retryAfterMs: number | undefined;
      let networkOnly = true;
      for (const address of this.o.memory.order(this.o.addresses)) {
        this.checkDeadline(req, fullPath, failures, false, lastTransient);
        const started = this.o.clock.now();
        try {
          this.sent++;
          const res = await this.o.http.send({
            method: req.method,
            address,
            path: fullPath,
            body: req.body,
            timeoutMs: this.o.deadline.cap(this.o.requestTimeoutMs),
          });
          const outcome = classifyResponse(res, req.method, fullPath, this.o.user);
          this.o.log.debug(`${req.method} ${fullPath} @${address} -> ${res.status} (${this.o.clock.now() - started} ms)`);
          if (outcome.kind === 'ok') {
            this.o.memory.markGood(address);
            return { status: outcome.status, data: outcome.data };
          }
          if (outcome.kind === 'error') {
            this.o.memory.markGood(address);
            if (uncertain && (await this.ownChangeMet(req, fullPath, outcome.error))) return { status: 0, data: null, verified: true };
            throw outcome.error;
          }
          // Transient: the appliance is alive but refused for now. A change request is checked
          // once more before it is resent, in case the refusal came after the change applied.
          if (
            !idempotent &&
            req.verify &&
            (await this.check(req.verify, req, fullPath, `JovianDSS answered ${req.method} ${fullPath} with ${outcome.reason}`))
          )
            return { status: 0, data: null, verified: true };
          uncertain = !idempotent;
          networkOnly = false;
          lastTransient = outcome.reason;
          retryAfterMs = outcome.retryAfterMs;
          failures.push(`${address}: ${outcome.reason}`);
          this.o.log.warn(`${req.method} ${fullPath} @${address}: ${outcome.reason}, will retry`);
          break;
        } catch (e) {
          if (!(e instanceof NetworkError)) throw e;
          failures.push(`${address}: ${e.reason}`);
          this.o.log.warn(`${req.method} ${fullPath} @${address} failed (${e.phase}): ${e.reason}`);
          if (e.tls) throw tlsError(address, e.reason);
          if (e.phase === 'connect') {
            this.o.memory.markDead(address);
            continue;
          }
          if (idempotent) continue;
          if (!req.verify) {
            throw new OutcomeUnknownError(
              `${req.method} ${fullPath} was sent to ${address} but no answer came back (${e.reason}); check the appliance before retrying`,
              { address },
            );
          }
          if (
            await this.check(
              req.verify,
              req,
              fullPath,
              `no answer from JovianDSS for ${req.method} ${fullPath} (sent to ${address}: ${e.reason})`,
            )
          ) {
            this.o.log.info(`${req.method} ${fullPath}: answer lost, but the change is in place`);
            return { status: 0, data: null, verified: true };
          }
          uncertain = true;
        }
      }
      if (networkOnly) lastTransient = undefined;
      if (round + 1 < this.retry.rounds) await this.backoff(round, retryAfterMs, req, fullPath, failures, lastTransient);
    }
    throw this.giveUp(req, fullPath, failures, lastTransient);
  }

  /**
   * Runs `verify` for a change whose outcome is unknown. When the check itself cannot be made
   * (the deadline ran out, no address answers), the error names the change and why its outcome
   * is unknown — not the GET that `verify` happened to send.
   */
  private async check(verify: () => Promise<boolean>, req: RestRequest, fullPath: string, what: string): Promise<boolean> {
    try {
      return await verify();
    } catch (e) {
      if (!(e instanceof UnreachableError)) throw e;
      const why =
        e.details?.deadline === true || this.o.deadline.expired()
          ? `the ${this.seconds(this.o.deadline.budgetMs)} s deadline ran out`
          : e.message;
      throw new OutcomeUnknownError(`${what}, and whether it applied could not be checked: ${why}; check the appliance before retrying`, {
        request: `${req.method} ${fullPath}`,
      });
    }
  }

  /**
   * A resend refused as "already exists" (or a delete as "not found") after an attempt whose
   * outcome was unknown: if `verify` now sees the change, it was ours, applied late.
   */
  private async ownChangeMet(req: RestRequest, fullPath: string, error: JdsscError): Promise<boolean> {
    if (!req.verify || !(error instanceof ExistsError || error instanceof NotFoundError)) return false;
    const applied = await req.verify().catch(() => false);
    if (applied) this.o.log.info(`${req.method} ${fullPath}: an earlier attempt applied late; the change is in place`);
    return applied;
  }

  /** GET every page of a paged collection (`{results, entries}`), stopping at an empty page. */
  async *pages(path: string, perPage?: number, opts: { scope?: 'pool' | 'global' } = {}): AsyncGenerator<unknown[]> {
    let seen = 0;
    for (let page = 0; page < 1_000_000; page++) {
      const query: Record<string, number> = { page };
      if (perPage) query.per_page = perPage;
      const { data } = await this.get(path, { query, scope: opts.scope });
      const entries = (data as { entries?: unknown[] } | null)?.entries;
      const total = Number((data as { results?: unknown } | null)?.results);
      if (!Array.isArray(entries) || entries.length === 0) return;
      seen += entries.length;
      yield entries;
      // A short page that completes the announced total is the end; saves one request.
      if (perPage && entries.length < perPage && Number.isFinite(total) && seen >= total) return;
    }
  }

  private fullPath(req: RestRequest): string {
    const base = req.scope === 'global' ? '/api/v4' : `/api/v4/pools/${this.o.pool}`;
    const query = req.query
      ? '?' +
        Object.entries(req.query)
          .map(([k, v]) => `${k}=${v}`)
          .join('&')
      : '';
    return `${base}${req.path}${query}`;
  }

  private async backoff(
    round: number,
    retryAfterMs: number | undefined,
    req: RestRequest,
    path: string,
    failures: string[],
    transient?: string,
  ): Promise<void> {
    const exp = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** Math.min(round, 20));
    // Full jitter keeps twenty simultaneous jdssc processes from retrying in lockstep.
    const delay = retryAfterMs !== undefined ? Math.min(retryAfterMs, 30_000) : exp / 2 + (this.random() * exp) / 2;
    const left = this.o.deadline.remaining();
    if (delay >= left && retryAfterMs !== undefined) {
      // Say what really stopped us: a Retry-After longer than what is left is not "the deadline".
      const wait = `the appliance asked to retry after ${this.seconds(retryAfterMs)} s, more than the ${this.seconds(left)} s left of the deadline`;
      throw this.giveUp(req, path, failures, transient, ` (${wait})`);
    }
    if (delay >= left) this.checkDeadline(req, path, failures, true, transient);
    await this.o.clock.sleep(delay);
  }

  /** Milliseconds as seconds for messages: whole seconds, or one decimal below 10 s. */
  private seconds(ms: number): string {
    const s = ms / 1000;
    return s >= 10 || Number.isInteger(s) ? String(Math.round(s)) : s.toFixed(1);
  }

  private checkDeadline(req: RestRequest, path: string, failures: string[], force = false, transient?: string): void {
    if (!force && !this.o.deadline.expired()) return;
    const budget = Math.round(this.o.deadline.budgetMs / 1000);
    if (failures.length === 0) {
      throw new UnreachableError(
        `no answer from JovianDSS for ${req.method} ${path} within the ${budget} s deadline`,
        { failures, deadline: true },
        'timeout',
      );
    }
    throw this.giveUp(req, path, failures, transient, ` (gave up at the ${budget} s deadline)`, true);
  }

  /** `deadline`: the invocation deadline ended the attempts (callers word their message on it). */
  private giveUp(req: RestRequest, path: string, failures: string[], transient?: string, when = '', deadline = false): JdsscError {
    const details = deadline ? { failures, deadline } : { failures };
    if (transient) {
      return new UnreachableError(`JovianDSS kept refusing ${req.method} ${path}: ${transient} (${summarise(failures)})${when}`, details);
    }
    return new UnreachableError(`JovianDSS REST API unreachable: ${summarise(failures)}${when}, for ${req.method} ${path}`, details);
  }
}

function summarise(failures: string[]): string {
  const unique = [...new Set(failures)];
  return unique.length > 4 ? `${unique.slice(0, 4).join('; ')}; …` : unique.join('; ');
}

function tlsError(address: string, reason: string): AuthError {
  return new AuthError(
    `cannot verify the TLS certificate of ${address}: ${reason}; give the appliance CA with ssl_ca_file / --ca-file, or set ssl_cert_verify false to skip verification (not recommended)`,
  );
}
