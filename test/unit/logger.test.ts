import { readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from '@jest/globals';
import { createLogger, Redactor } from '../../src/log/logger';
import { tempDir } from '../helpers/tmp';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

test('the log file is created 0600 (directory too) and lines carry level and request id', () => {
  const file = join(tmp.dir, 'joviandss', 'jdssc.log');
  const log = createLogger({ file, level: 'info', requestId: 'ab12cd34', now: () => new Date(2026, 10, 21, 9, 5, 7, 42) });
  log.debug('hidden');
  log.info('volume created');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(readFileSync(file, 'utf8')).toBe('2026-11-21 09:05:07.042 - jdssc - INFO - [ab12cd34] volume created\n');
});

test('an existing world-readable log is tightened to 0600', () => {
  const file = join(tmp.dir, 'old.log');
  writeFileSync(file, 'old line\n');
  chmodSync(file, 0o644);
  createLogger({ file, level: 'debug' }).warn('x');
  expect(statSync(file).mode & 0o777).toBe(0o600);
});

test('registered secrets and their Basic-auth form never reach the file', () => {
  const file = join(tmp.dir, 'redact.log');
  const log = createLogger({ file, level: 'debug' });
  log.addSecret('Sup3r-Secret!');
  log.addSecret(Buffer.from('admin:Sup3r-Secret!').toString('base64'));
  log.error('login with Sup3r-Secret! failed; header Authorization: Basic YWRtaW46U3VwM3ItU2VjcmV0IQ==');
  log.info('body {"name":"u","password":"other-secret"} password=plain');
  const text = readFileSync(file, 'utf8');
  expect(text).not.toMatch(/Sup3r|YWRtaW46|other-secret|plain/);
  expect(text).toContain('***');
});

test('an unwritable log path warns once and does not throw', () => {
  const warnings: string[] = [];
  const notADir = tmp.file('plain-file', 'x');
  const log = createLogger({ file: join(notADir, 'sub', 'x.log'), level: 'info', onOpenError: (m) => warnings.push(m) });
  log.info('a');
  log.info('b');
  expect(warnings).toHaveLength(1);
});

test('redactor replaces the longest secret first', () => {
  const r = new Redactor();
  r.add('abcdef');
  r.add('abcdefghij');
  expect(r.redact('x abcdefghij y abcdef')).toBe('x *** y ***');
});

test('secrets shorter than 6 characters are not searched for (they would mangle text)', () => {
  const r = new Redactor();
  r.add('1824');
  r.add('long-enough');
  expect(r.redact('size 107374182400, token long-enough')).toBe('size 107374182400, token ***');
});
