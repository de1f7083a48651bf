// The repeated-sighting rule: an orphan is removed only after it was seen by an earlier run at
// least `graceMs` ago, so something caught half-way through a normal operation (a target created
// a moment before its LUN, an export clone just before it is published) is never taken for one.
import * as nodeFs from 'node:fs';
import { join } from 'node:path';

interface Sighting {
  firstSeen: number;
  count: number;
}

export type SeenFs = Pick<typeof nodeFs, 'readFileSync' | 'writeFileSync' | 'renameSync' | 'mkdirSync'>;

export class Sightings {
  private readonly file: string;
  private data: Record<string, Sighting>;

  constructor(
    stateDir: string,
    private readonly now: () => number,
    private readonly fs: SeenFs = nodeFs,
  ) {
    this.file = join(stateDir, 'cleanup-sightings.json');
    try {
      this.data = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, Sighting>;
    } catch {
      this.data = {};
    }
  }

  /** Records this run's sightings (forgetting what is no longer seen); returns the due keys. */
  observe(keys: string[], graceMs: number): Set<string> {
    const now = this.now();
    const next: Record<string, Sighting> = {};
    const due = new Set<string>();
    for (const k of keys) {
      const before = this.data[k];
      next[k] = before ? { firstSeen: before.firstSeen, count: before.count + 1 } : { firstSeen: now, count: 1 };
      if (graceMs === 0 || (next[k].count >= 2 && now - next[k].firstSeen >= graceMs)) due.add(k);
    }
    this.data = next;
    return due;
  }

  forget(key: string): void {
    delete this.data[key];
  }

  save(): void {
    this.fs.mkdirSync(join(this.file, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}`;
    this.fs.writeFileSync(tmp, JSON.stringify(this.data), { mode: 0o600 });
    this.fs.renameSync(tmp, this.file);
  }
}
