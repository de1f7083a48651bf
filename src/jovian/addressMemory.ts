// Remembers, between invocations, which REST address answered last and which refused, so a
// dead first address costs one connect timeout once — not once per jdssc run (Proxmox runs
// jdssc for every disk operation and `status` every 10 s).
import { createHash } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { join } from 'node:path';

export interface AddressMemory {
  /** Configured addresses, best first: the last good one, then config order, dead ones last. */
  order(addresses: string[]): string[];
  markGood(address: string): void;
  markDead(address: string): void;
}

interface Stored {
  preferred?: string;
  dead: Record<string, number>; // address → epoch ms until which it is presumed dead
}

export type MemoryFs = Pick<typeof nodeFs, 'readFileSync' | 'writeFileSync' | 'renameSync' | 'mkdirSync'>;

/** How long a refused or timed-out address is tried last. */
export const DEAD_FOR_MS = 60_000;

export function createAddressMemory(opts: {
  stateDir: string;
  addresses: string[];
  port: number;
  now: () => number;
  fs?: MemoryFs;
}): AddressMemory {
  const fs = opts.fs ?? nodeFs;
  const key = createHash('sha256')
    .update(`${opts.addresses.join(',')}:${opts.port}`)
    .digest('hex')
    .slice(0, 16);
  const file = join(opts.stateDir, `rest-${key}.json`);
  let stored: Stored = read(fs, file);

  const save = (): void => {
    try {
      fs.mkdirSync(opts.stateDir, { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(stored), { mode: 0o600 });
      fs.renameSync(tmp, file);
    } catch {
      // A read-only state dir only costs us the memory, never the operation.
    }
  };

  return {
    order(addresses) {
      const now = opts.now();
      const isDead = (a: string) => (stored.dead[a] ?? 0) > now;
      const first = stored.preferred && addresses.includes(stored.preferred) && !isDead(stored.preferred) ? [stored.preferred] : [];
      const rest = addresses.filter((a) => !first.includes(a));
      return [...first, ...rest.filter((a) => !isDead(a)), ...rest.filter(isDead)];
    },
    markGood(address) {
      if (stored.preferred === address && stored.dead[address] === undefined) return;
      stored = { preferred: address, dead: { ...stored.dead } };
      delete stored.dead[address];
      save();
    },
    markDead(address) {
      stored = { ...stored, dead: { ...stored.dead, [address]: opts.now() + DEAD_FOR_MS } };
      if (stored.preferred === address) delete stored.preferred;
      save();
    },
  };
}

export const noAddressMemory: AddressMemory = {
  order: (a) => [...a],
  markGood: () => {},
  markDead: () => {},
};

function read(fs: MemoryFs, file: string): Stored {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Stored>;
    return { preferred: typeof parsed.preferred === 'string' ? parsed.preferred : undefined, dead: parsed.dead ?? {} };
  } catch {
    return { dead: {} };
  }
}
