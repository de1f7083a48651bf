// 10 000 volumes: seeding is fast and a client paging through them sees every volume once,
// in creation order, quickly.
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { Agent, request } from 'node:https';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index';
import { poolPath } from './client';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ listen: ['127.0.0.1'], seed: 2 });
});
afterAll(async () => sim.close());

/** Keep-alive GET, as a real client would page. */
function get(agent: Agent, path: string): Promise<{ results: number; entries: { name: string; default_scsi_id: string }[] }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: sim.port,
        path,
        ca: sim.caPem,
        agent,
        headers: { Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString()).data));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('10 000 volumes', () => {
  test('seed and page through them', async () => {
    let t = Date.now();
    expect(sim.seed({ pool: 'Pool-0', volumes: 10_000, snapshotsPerVolume: 1 })).toMatchObject({ count: 10_000, last: 'v_seed-9999' });
    const seedMs = Date.now() - t;
    expect(seedMs).toBeLessThan(3000);

    const agent = new Agent({ keepAlive: true, ca: sim.caPem });
    t = Date.now();
    const seen: string[] = [];
    const wwidPrefixes = new Set<string>();
    for (let page = 0; ; page++) {
      const data = await get(agent, poolPath(`/volumes?page=${page}&per_page=100`));
      if (data.entries.length === 0) break;
      expect(data.results).toBe(10_000);
      seen.push(...data.entries.map((e) => e.name));
      for (const e of data.entries) wwidPrefixes.add(e.default_scsi_id.slice(0, 8));
    }
    const pageMs = Date.now() - t;
    agent.destroy();
    expect(seen).toHaveLength(10_000);
    expect(seen[0]).toBe('v_seed-0');
    expect(seen[9_999]).toBe('v_seed-9999');
    expect(new Set(seen).size).toBe(10_000);
    expect(wwidPrefixes.size).toBe(10_000); // hosts derive WWIDs from these 8 chars: never shared
    expect(pageMs).toBeLessThan(5000); // generous: a loaded CI box; typically well under 1 s
    expect(sim.requests.count({ method: 'GET' })).toBe(101);
  });
});
