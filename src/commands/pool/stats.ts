// `jdssc pool stats`: show the pool name, id and capacity (total, free, used bytes)
import { defineCommand } from '../../cmdutil/command';
import { sizeText } from '../../cmdutil/render';
import { poolStats, type PoolStats } from '../../storage';

export default defineCommand<Record<string, never>, PoolStats>({
  command: 'stats',
  describe: 'Show the pool name, id and capacity (total, free, used bytes)',
  examples: [
    ['$0 -c /etc/pve/jdss-Pool-0.yaml pool stats', 'capacity of the configured pool'],
    ['$0 --pool Pool-1 pool stats --json', 'machine-readable, another pool'],
  ],
  run: async (_args, f) => poolStats(await f.rest()),
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
