import { describe, expect, test } from '@jest/globals';
import { classifyResponse, retryAfter } from '../../src/jovian/responses';
import type { HttpResponse } from '../../src/jovian/httpTypes';
import { EXIT, isMissing, PoolNotFoundError } from '../../src/errors';

function res(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

function err(status: number, error: Record<string, unknown>) {
  const c = classifyResponse(res(status, { data: null, error }), 'POST', '/api/v4/pools/Pool-0/x', 'admin');
  if (c.kind !== 'error') throw new Error(`expected an error, got ${c.kind}`);
  return c.error;
}

describe('success', () => {
  test('200/201 return data; 204 has no body', () => {
    expect(classifyResponse(res(200, { data: { a: 1 }, error: null }), 'GET', '/p', 'u')).toEqual({
      kind: 'ok',
      status: 200,
      data: { a: 1 },
    });
    expect(classifyResponse(res(201, { data: { b: 2 }, error: null }), 'POST', '/p', 'u')).toEqual({
      kind: 'ok',
      status: 201,
      data: { b: 2 },
    });
    expect(classifyResponse(res(204, ''), 'DELETE', '/p', 'u')).toEqual({ kind: 'ok', status: 204, data: null });
  });

  test('a change answered 200 with null data is fine; a GET is not (appliance glitch)', () => {
    expect(classifyResponse(res(200, { data: null, error: null }), 'PUT', '/p', 'u').kind).toBe('ok');
    expect(classifyResponse(res(200, { data: null, error: null }), 'GET', '/p', 'u')).toMatchObject({ kind: 'transient' });
  });
});

describe('transient conditions', () => {
  test('CfgParserError (500, errno 13)', () => {
    const c = classifyResponse(
      res(500, { data: null, error: { class: 'opene.cfgparser.CfgParserError', errno: 13, message: 'cannot parse' } }),
      'POST',
      '/p',
      'u',
    );
    expect(c).toMatchObject({ kind: 'transient', reason: expect.stringMatching(/CfgParserError/) });
  });

  test.each([429, 503])('HTTP %i honours Retry-After', (status) => {
    expect(classifyResponse(res(status, 'busy', { 'retry-after': '7' }), 'GET', '/p', 'u')).toEqual({
      kind: 'transient',
      reason: `HTTP ${status}`,
      retryAfterMs: 7000,
    });
  });

  test('5xx without the JSON envelope and 502/504 are transient', () => {
    expect(classifyResponse(res(500, '<html>oops</html>'), 'GET', '/p', 'u').kind).toBe('transient');
    expect(classifyResponse(res(502, { data: null, error: { message: 'bad gateway' } }), 'GET', '/p', 'u').kind).toBe('transient');
  });

  test("the framework's generic 500 is transient for reads only", () => {
    const crash = res(500, {
      data: null,
      error: { class: 'werkzeug.exceptions.InternalServerError', message: 'The server encountered an internal error' },
    });
    expect(classifyResponse(crash, 'GET', '/p', 'u').kind).toBe('transient');
    expect(classifyResponse(crash, 'POST', '/p', 'u').kind).toBe('error');
  });

  test('Retry-After as an HTTP date', () => {
    const now = Date.parse('2026-11-21T10:00:00Z');
    expect(retryAfter('Sat, 21 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(retryAfter('soon', now)).toBeUndefined();
  });
});

describe('error catalogue: every error answer the appliance gives', () => {
  test('401 → auth, exit 7', () => {
    const c = classifyResponse(res(401, '401 unauthorized'), 'GET', '/p', 'admin');
    expect(c.kind === 'error' && c.error.exitCode).toBe(EXIT.AUTH);
  });

  test('zvol / snapshot missing: 500 errno 1 "Zfs resource … not found in this collection."', () => {
    const e = err(500, {
      class: 'zfslib.zfsapi.resources.ZfsResourceError',
      errno: 1,
      message: 'Zfs resource: Pool-0/v_x not found in this collection.',
    });
    expect(e.exitCode).toBe(EXIT.NOT_FOUND);
    expect(e.details).toMatchObject({ resource: 'Pool-0/v_x' });
  });

  test('newer firmware: ItemNotFoundError "Resource … not found."', () => {
    const e = err(500, { class: 'opene.exceptions.ItemNotFoundError', message: 'Resource Pool-0/v_x not found.' });
    expect(e.exitCode).toBe(EXIT.NOT_FOUND);
    expect(e.details).toMatchObject({ resource: 'Pool-0/v_x' });
  });

  test.each([['Target iqn.x:y not exists.'], ['User u not exists.'], ['volume name v_x is not attached to target iqn.x:y']])(
    '404 ItemNotFoundError: %s',
    (message) => {
      expect(err(404, { class: 'opene.exceptions.ItemNotFoundError', message }).exitCode).toBe(EXIT.NOT_FOUND);
    },
  );

  test('pool missing (class-based)', () => {
    expect(err(500, { class: 'opene.exceptions.ItemNotFoundError', message: 'Pool Pool-9 not found' }).exitCode).toBe(EXIT.NOT_FOUND);
  });

  test.each([
    ['Resource Pool-0/v_x already exists.', 500, 'opene.exceptions.ItemConflictError'],
    ["cannot create 'Pool-0/v_x': dataset already exists", 500, 'zfslib.wrap.zfs.ZfsCmdError'],
    ['Target with name iqn.x:y is already present on Pool-0.', 409, 'opene.san.target.base.iscsi.TargetNameConflictError'],
    ['snapshot exists', 409, 'x'],
    ['LUN 0 is already used on target iqn.x:y.', 409, 'opene.exceptions.ItemConflictError'],
  ])('exists: %s → exit 4', (message, status, cls) => {
    expect(err(status, { class: cls, message, errno: 100 }).exitCode).toBe(EXIT.EXISTS);
  });

  test('no space → exit 8', () => {
    expect(err(500, { message: 'New zvol size(1099511627776) exceeds available space on pool Pool-0(53687091200).' }).exitCode).toBe(
      EXIT.NO_SPACE,
    );
  });

  test.each([
    [
      "cannot destroy 'Pool-0/v_x': volume has children\nuse '-r' to destroy the following datasets:\nPool-0/v_x@s_1",
      'zfslib.wrap.zfs.ZfsCmdError',
      1000,
    ],
    ['In order to delete a zvol, you must delete all of its clones first.', 'opene.storage.zfs.ZfsOeError', undefined],
    ['Volume /dev/Pool-0/v_x is already used.', 'opene.exceptions.ItemConflictError', undefined],
    ['snapshot has dependent clones', 'x', 1000],
  ])('busy: %s → exit 5, one line', (message, cls, errno) => {
    const e = err(500, { class: cls, message, errno });
    expect(e.exitCode).toBe(EXIT.BUSY);
    expect(e.message).not.toContain('\n');
  });

  test('old firmware without vip_allowed_portals → explicit update message', () => {
    const e = err(400, {
      class: 'ValidationError',
      message: "Additional properties are not allowed ('vip_allowed_portals' was unexpected)",
    });
    expect(e.code).toBe('outdated');
    expect(e.message).toMatch(/update JovianDSS/);
  });

  test('anything else keeps class and message, exit 1', () => {
    const e = err(500, { class: 'opene.tools.scstadmin.ScstAdminError', message: 'SCST said no', errno: 5 });
    expect(e.exitCode).toBe(EXIT.INTERNAL);
    expect(e.message).toMatch(/ScstAdminError: SCST said no/);
  });

  test('error status with a null error object does not crash', () => {
    const c = classifyResponse(res(400, { data: null, error: null }), 'POST', '/p', 'u');
    expect(c.kind).toBe('error');
  });
});

describe('not found is tied to what was asked for', () => {
  test('a missing pool is its own error, never "the object is absent"', () => {
    const e = err(404, { class: 'opene.exceptions.ItemNotFoundError', message: 'Pool Pool-9 not exists.' });
    expect(e).toBeInstanceOf(PoolNotFoundError);
    expect(isMissing(e)).toBe(false);
    expect(e.message).toBe('pool Pool-9 does not exist on JovianDSS');
  });

  test("the web framework's 404 (no such endpoint) is not a missing object", () => {
    const e = err(404, { class: 'werkzeug.exceptions.NotFound', message: 'The requested URL was not found on the server.' });
    expect(isMissing(e)).toBe(false);
    expect(e.code).toBe('outdated');
  });

  test('a missing zvol is a missing object', () => {
    expect(isMissing(err(500, { errno: 1, message: 'Zfs resource: Pool-0/v_x not found in this collection.' }))).toBe(true);
  });
});
