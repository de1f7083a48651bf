// bin/jdssc loads the pre-wrapped bundle (scripts/build.mjs) through a V8 code cache. A missing,
// corrupt or foreign cache must never change what a command does: V8 rejects it, the command
// runs from source, and a fresh cache replaces the bad one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const JDSSC = join(ROOT, 'bin', 'jdssc');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jdssc-launcher-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [JDSSC, ...args], {
    env: { ...process.env, JDSSC_CACHE_DIR: dir, JDSSC_JOURNAL_SOCKET: '' },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const caches = () => readdirSync(dir).filter((f) => /^jdssc-.*\.v8$/.test(f));

describe('the launcher code cache', () => {
  test('the first run writes one cache; a later run reads it and answers the same', () => {
    const first = run(['completion']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('jdssc');
    expect(caches()).toHaveLength(1);
    const bytes = readFileSync(join(dir, caches()[0]));
    expect(bytes.length).toBeGreaterThan(1000);
    const second = run(['completion']);
    expect(second).toEqual(first);
    // accepted, so not rewritten
    expect(readFileSync(join(dir, caches()[0]))).toEqual(bytes);
  });

  test('a corrupt cache is rejected: the command still answers, and the cache is rewritten', () => {
    const good = run(['completion']);
    const [file] = caches();
    writeFileSync(join(dir, file), Buffer.alloc(4096, 0x5a));
    const again = run(['completion']);
    expect(again).toEqual(good);
    const rewritten = readFileSync(join(dir, file));
    expect(rewritten.equals(Buffer.alloc(4096, 0x5a))).toBe(false);
    expect(rewritten.length).toBeGreaterThan(1000);
  });

  test("an earlier build's cache is removed when this build writes its own", () => {
    writeFileSync(join(dir, 'jdssc-1-2-v0.0.0.v8'), 'old');
    expect(run(['completion']).code).toBe(0);
    expect(caches()).toHaveLength(1);
    expect(caches()[0]).not.toBe('jdssc-1-2-v0.0.0.v8');
  });

  test('requiring the pre-wrapped bundle directly still runs it', () => {
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(ROOT, 'dist', 'jdssc.cjs'))}).run(['completion'])`], {
      env: { ...process.env, JDSSC_JOURNAL_SOCKET: '' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('jdssc');
  });
});
