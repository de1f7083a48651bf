// What one HTTPS exchange looks like to the REST client; the axios implementation lives in
// ./http and is loaded only when a command talks to the appliance.
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  method: Method;
  address: string;
  /** Path including query, starting with /api/... */
  path: string;
  body?: unknown;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

export type FailurePhase = 'connect' | 'sent';

export class NetworkError extends Error {
  constructor(
    readonly phase: FailurePhase,
    readonly reason: string,
    readonly tls = false,
  ) {
    super(reason);
  }
}

export interface HttpSender {
  send(req: HttpRequest): Promise<HttpResponse>;
  close(): void;
}
