// One HTTPS exchange with one appliance address, over axios with a keep-alive agent.
// Failures are sorted by *phase*: a connect-phase failure (refused, unreachable, connect
// timeout, TLS rejected) proves the request never reached the appliance, so any request may
// be retried elsewhere; after that point a non-idempotent request may already have applied.
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { NetworkError, type HttpRequest, type HttpResponse, type HttpSender } from './httpTypes';

export interface HttpsOptions {
  port: number;
  user: string;
  password: string;
  verifyTls: boolean;
  ca?: string;
  connectTimeoutMs: number;
}

const CONNECT_PHASE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ECONNECT_TIMEOUT', 'ENOTFOUND']);

type SocketWithState = Socket & { jdsscConnected?: boolean };

/** Agent whose sockets must finish TCP + TLS within connectTimeoutMs. */
class ConnectTimeoutAgent extends HttpsAgent {
  constructor(
    opts: AgentOptions,
    private readonly connectTimeoutMs: number,
  ) {
    super(opts);
  }

  override createConnection(options: unknown, callback?: unknown): Socket {
    // @ts-expect-error createConnection exists on https.Agent at runtime but is not in its typings
    const socket: TLSSocket = super.createConnection(options, callback);
    const timer = setTimeout(() => {
      const err = Object.assign(new Error(`connect timeout after ${this.connectTimeoutMs} ms`), { code: 'ECONNECT_TIMEOUT' });
      socket.destroy(err);
    }, this.connectTimeoutMs);
    timer.unref();
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      (socket as SocketWithState).jdsscConnected = true;
    });
    socket.once('close', () => clearTimeout(timer));
    return socket;
  }
}

export async function createHttpsSender(opts: HttpsOptions): Promise<HttpSender> {
  // axios is the heaviest module jdssc loads; only commands that talk REST pay for it.
  const { default: axios } = await import('axios');
  const agent = new ConnectTimeoutAgent(
    { keepAlive: true, maxSockets: 8, rejectUnauthorized: opts.verifyTls, ca: opts.ca },
    opts.connectTimeoutMs,
  );
  const instance = axios.create({
    httpsAgent: agent,
    adapter: 'http',
    proxy: false, // never route appliance traffic (and credentials) through an environment proxy
    maxRedirects: 0,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    auth: { username: opts.user, password: opts.password },
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
  });

  return {
    async send(req: HttpRequest): Promise<HttpResponse> {
      const host = req.address.includes(':') ? `[${req.address}]` : req.address;
      try {
        const res = await instance.request({
          method: req.method,
          url: `https://${host}:${opts.port}${req.path}`,
          data: req.body === undefined ? undefined : JSON.stringify(req.body),
          timeout: req.timeoutMs,
        });
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(res.headers ?? {}))
          headers[k.toLowerCase()] = v === null || v === undefined ? undefined : String(v);
        return { status: res.status, headers, body: typeof res.data === 'string' ? res.data : '' };
      } catch (e) {
        throw classify(e, req.timeoutMs);
      }
    },
    close(): void {
      agent.destroy();
    },
  };
}

function classify(e: unknown, timeoutMs: number): NetworkError {
  const err = e as {
    code?: string;
    message?: string;
    cause?: { code?: string; message?: string };
    request?: { socket?: SocketWithState | null };
  };
  const code = err.cause?.code ?? err.code ?? '';
  const text = err.cause?.message ?? err.message ?? String(e);
  if (CONNECT_PHASE_CODES.has(code)) return new NetworkError('connect', code === 'ECONNECT_TIMEOUT' ? text : `${code}`);
  if (isTlsFailure(code, text)) return new NetworkError('connect', `TLS certificate not trusted (${code || text})`, true);
  // The handshake never completed, so the request bytes were never sent.
  if (err.request?.socket && !err.request.socket.jdsscConnected) return new NetworkError('connect', code || text);
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(text)) {
    return new NetworkError('sent', `no answer within ${timeoutMs} ms`);
  }
  return new NetworkError('sent', code || text);
}

function isTlsFailure(code: string, text: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ALTNAME/.test(code) || /certificate/i.test(text);
}
