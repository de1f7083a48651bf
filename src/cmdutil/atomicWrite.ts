// Writes a file so readers never see half of it: a temp file beside it, then rename. node_exporter's
// textfile collector reads the metrics file at any moment; a support bundle is picked up by scripts.
import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors';

export type AtomicFs = Pick<typeof nodeFs, 'writeFileSync' | 'renameSync' | 'rmSync'>;

export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644, fs: AtomicFs = nodeFs): void {
  // The temp name starts with a dot: the textfile collector reads only *.prom files.
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, data, { mode });
    fs.renameSync(tmp, path);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new UsageError(`--output ${path}: cannot write (${code})`);
  }
}
