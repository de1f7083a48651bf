import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'jdssc-test-'): {
  dir: string;
  file(name: string, content: string, mode?: number): string;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file(name, content, mode = 0o600) {
      const p = join(dir, name);
      writeFileSync(p, content, { mode });
      chmodSync(p, mode);
      return p;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
