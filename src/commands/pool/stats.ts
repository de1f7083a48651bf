// `jdssc pool stats`: show the pool name, id and capacity (total, free, used bytes)
import { defineCommand } from '../../cmdutil/command';
import { sizeText } from '../../cmdutil/render';
import { DOWN_MEMORY_S, MAX_AGE_LIMIT_S, readStatus, statusSlotOf, writeStatus } from '../../cmdutil/statusCache';
import { UnreachableError, UsageError } from '../../errors';
import { poolStats, type PoolStats } from '../../storage';

interface Args {
  'max-age'?: string;
}

export default defineCommand<Args, PoolStats>({
  command: 'stats',
  describe: 'Show the pool name, id and capacity (total, free, used bytes)',
  examples: [
    ['$0 -c /etc/pve/jdss-Pool-0.yaml pool stats', 'capacity of the configured pool'],
    ['$0 --pool Pool-1 pool stats --json', 'machine-readable, another pool'],
    ['$0 -c /etc/pve/jdss-Pool-0.yaml pool stats --json --max-age 8', "Proxmox's status poll: an answer up to 8 s old is fine"],
  ],
  builder: (y) =>
    y.option('max-age', {
      type: 'string',
      describe: `accept an answer up to this many seconds old from the shared status cache (0-${MAX_AGE_LIMIT_S}; default 0: always ask the array)`,
    }),
  run: async (a, f) => {
    const maxAge = a['max-age'] === undefined ? 0 : parseMaxAge(a['max-age']);
    if (maxAge === 0) return poolStats(await f.rest());
    // pvestatd polls every storage every ~10 s in a fresh process: within the age it accepts,
    // the status comes from the file the previous poll left and no request is sent.
    const { fs, path, key } = statusSlotOf(f);
    const asked = f.clock.now();
    const cached = readStatus(fs, path, key, asked, maxAge * 1000);
    if (cached && 'stats' in cached) return cached.stats;
    if (cached) {
      const ago = Math.max(0, Math.round((asked - cached.at) / 1000));
      throw new UnreachableError(`${cached.down} (remembered from a poll ${ago} s ago; asked again after ${DOWN_MEMORY_S} s)`);
    }
    // Either entry's age counts from before the request: never younger than it is.
    try {
      const stats = await poolStats(await f.rest());
      writeStatus(fs, path, key, asked, { stats });
      return stats;
    } catch (e) {
      if (e instanceof UnreachableError) writeStatus(fs, path, key, asked, { down: e.message });
      throw e;
    }
  },
  human: (r, p) =>
    p.fields([
      ['pool', r.name],
      ['id', r.id],
      ['health', r.health],
      ['total', sizeText(r.total)],
      ['free', sizeText(r.free)],
      ['used', sizeText(r.used)],
    ]),
});

function parseMaxAge(v: string): number {
  const n = /^\d{1,4}$/.test(v) ? Number(v) : NaN;
  if (!(n <= MAX_AGE_LIMIT_S))
    throw new UsageError(`--max-age: expected whole seconds from 0 to ${MAX_AGE_LIMIT_S}, got ${JSON.stringify(v)}`);
  return n;
}
