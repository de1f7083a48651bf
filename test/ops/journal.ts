// A fake journal for tests: a stream socket in a temp dir speaking the journal's stdout-stream
// protocol (header lines, then messages), so audit lines are captured without the real journal.
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

export interface JournalEntry {
  identifier: string;
  priority: number;
  message: string;
}

export interface FakeJournal {
  path: string;
  entries: JournalEntry[];
  /** Waits until `n` entries have arrived (connections are read asynchronously). */
  waitFor(n: number): Promise<JournalEntry[]>;
  close(): Promise<void>;
}

export async function fakeJournal(dir: string): Promise<FakeJournal> {
  const path = join(dir, 'journal.sock');
  const entries: JournalEntry[] = [];
  const server: Server = createServer((sock) => {
    let text = '';
    sock.on('data', (c) => (text += c.toString()));
    sock.on('end', () => {
      const lines = text.split('\n');
      const [identifier, , priority] = lines;
      for (const message of lines.slice(7).filter((l) => l !== '')) entries.push({ identifier, priority: Number(priority), message });
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path,
    entries,
    async waitFor(n) {
      for (let i = 0; i < 200 && entries.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      return entries;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** logfmt fields of an audit line. */
export function auditFields(message: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of message.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) out[m[1]] = m[2].startsWith('"') ? JSON.parse(m[2]) : m[2];
  return out;
}
