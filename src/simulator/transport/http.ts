// Wire-level helpers: URL splitting, bounded JSON body reading, and the appliance's response
// formats (JSON envelope, bare 204, the plain-text 401, nginx-style gateway errors).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errors } from '../api/errors';

const MAX_BODY_BYTES = 1024 * 1024;

export function splitUrl(rawUrl: string | undefined): { path: string; rawQuery: string; query: URLSearchParams } {
  const url = rawUrl ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  return { path, rawQuery, query: new URLSearchParams(rawQuery) };
}

/** Decode one path segment; clients send IQNs raw (':' and '.') or %-encoded — accept both. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The request body parsed as JSON; undefined when empty. Throws ApiError on junk / oversize. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw errors.payloadTooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw errors.badRequest();
  }
}

export function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendEnvelope(res: ServerResponse, status: number, data: unknown): void {
  sendJson(res, status, { data: data ?? null, error: null });
}

export function errorObject(err: ApiError, url: string): Record<string, unknown> {
  const error: Record<string, unknown> = { class: err.errorClass };
  if (err.errno !== undefined) error.errno = err.errno;
  error.message = err.message;
  error.url = url;
  return error;
}

export function sendError(res: ServerResponse, err: ApiError, url: string, headers: Record<string, string> = {}): void {
  sendJson(res, err.status, { data: null, error: errorObject(err, url) }, headers);
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

/** The appliance answers bad credentials with this exact plain body (clients compare it). */
export function sendUnauthorized(res: ServerResponse): void {
  const body = '401 unauthorized';
  res.writeHead(401, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': body.length,
    'WWW-Authenticate': 'Basic realm="JovianDSS REST"',
  });
  res.end(body);
}

/** What the appliance's front proxy says when the API process behind it is down or overloaded. */
export function sendGatewayError(res: ServerResponse, status: 502 | 503): void {
  const title = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
  const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export const internalError = () =>
  new ApiError(
    500,
    'werkzeug.exceptions.InternalServerError',
    'The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.',
  );

export const tooManyRequests = () =>
  new ApiError(429, 'werkzeug.exceptions.TooManyRequests', 'This user has exceeded an allotted request count. Try again later.');
