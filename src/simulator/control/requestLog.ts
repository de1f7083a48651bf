// Record of REST traffic for tests and benchmarks: a bounded ring buffer plus per-method
// counters. Control-API calls are not recorded.

export interface RequestRecord {
  seq: number;
  ts: number;
  address: string;
  method: string;
  path: string;
  query: string;
  status: number; // 0 = never answered (hang, dropped connection)
  durationMs: number;
  fault?: string;
}

export interface CountFilter {
  method?: string;
  pathPrefix?: string;
  mutatingOnly?: boolean;
}

const MUTATING = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

export function isMutating(method: string, path: string): boolean {
  return MUTATING.has(method) && path.startsWith('/api/');
}

export class RequestLog {
  private ring: RequestRecord[] = [];
  private start = 0; // index of the oldest record once the ring is full
  private seq = 0;
  private byMethod: Record<string, number> = {};

  constructor(private readonly capacity = 100_000) {}

  record(entry: Omit<RequestRecord, 'seq'>): RequestRecord {
    const rec = { seq: ++this.seq, ...entry };
    if (this.ring.length < this.capacity) this.ring.push(rec);
    else {
      this.ring[this.start] = rec;
      this.start = (this.start + 1) % this.capacity;
    }
    this.byMethod[rec.method] = (this.byMethod[rec.method] ?? 0) + 1;
    return rec;
  }

  /** Records in arrival order (oldest first). */
  all(): RequestRecord[] {
    return [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
  }

  /** Records with seq greater than `seq`. */
  since(seq: number): RequestRecord[] {
    return this.all().filter((r) => r.seq > seq);
  }

  get lastSeq(): number {
    return this.seq;
  }

  counters(): { total: number; byMethod: Record<string, number> } {
    const total = Object.values(this.byMethod).reduce((a, b) => a + b, 0);
    return { total, byMethod: { ...this.byMethod } };
  }

  count(filter: CountFilter = {}): number {
    if (!filter.pathPrefix && !filter.mutatingOnly) {
      return filter.method ? (this.byMethod[filter.method.toUpperCase()] ?? 0) : this.counters().total;
    }
    return this.ring.filter(
      (r) =>
        (!filter.method || r.method === filter.method.toUpperCase()) &&
        (!filter.pathPrefix || r.path.startsWith(filter.pathPrefix)) &&
        (!filter.mutatingOnly || isMutating(r.method, r.path)),
    ).length;
  }

  /** Forget everything; sequence numbers keep increasing so `since` stays monotonic. */
  reset(): void {
    this.ring = [];
    this.start = 0;
    this.byMethod = {};
  }
}
