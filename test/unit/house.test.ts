// House rules a reader relies on, checked over src/: every file opens with a comment that says
// what it is for, and no file grows past 400 lines (split it by responsibility instead).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();

describe('src/ house rules', () => {
  test('the scan sees the whole tree', () => {
    expect(files).toContain(join('cli', 'main.ts'));
    expect(files.length).toBeGreaterThan(150);
  });

  test('every file starts with a header comment', () => {
    const bare = files.filter((f) => !readFileSync(join(SRC, f), 'utf8').startsWith('//'));
    expect(bare).toEqual([]);
  });

  test('no file is longer than 400 lines', () => {
    const long = files
      .map((f) => [f, readFileSync(join(SRC, f), 'utf8').split('\n').length] as const)
      .filter(([, n]) => n > 400)
      .map(([f, n]) => `${f} (${n} lines)`);
    expect(long).toEqual([]);
  });
});
