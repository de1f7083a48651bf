// The ZFS model raises the zvol data events with the appliance's semantics, the request
// pipeline waits for the data path before it answers, and a data path failure is a 500.
import { afterEach, describe, expect, test } from '@jest/globals';
import { noopBackend, startSimulator, type DataEvent, type RunningSimulator, type TargetBackend } from '../../src/simulator';
import { call, createSnapshot, createVolume, poolPath } from '../simulator/client';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function recorder(opts: { failOn?: DataEvent['kind']; delayMs?: number } = {}) {
  const events: string[] = [];
  const backend: TargetBackend = {
    ...noopBackend,
    async onDataEvent(pool: string, e: DataEvent) {
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      if (e.kind === opts.failOn) throw new Error('disk full');
      const { kind, ...rest } = e;
      events.push(`${pool} ${kind} ${JSON.stringify(rest)}`);
    },
  };
  return { events, backend };
}

const rest = (method: string, path: string, body?: unknown) => call(sim!, method, poolPath(path), { body });

describe('zvol data events', () => {
  test('create, snapshot, clone, resize, rename, rollback and destroy, in model order', async () => {
    const r = recorder();
    sim = await startSimulator({ listen: ['127.0.0.1'], seed: 3, backend: r.backend });
    await createVolume(sim, 'v1', '4M');
    await createSnapshot(sim, 'v1', 's1');
    await createSnapshot(sim, 'v1', 's2');
    expect((await rest('POST', '/volumes/v1/clone', { name: 'c1', snapshot: 's1' })).status).toBe(200);
    expect((await rest('PUT', '/volumes/v1', { size: '8M' })).status).toBe(201);
    expect((await rest('PUT', '/volumes/c1', { name: 'c2' })).status).toBe(201);
    expect((await rest('DELETE', '/volumes/v1/snapshots/s1', { recursively_dependents: true })).status).toBe(204);
    expect((await rest('POST', '/volumes/v1/snapshots/s2/rollback')).status).toBe(200);
    await createSnapshot(sim, 'v1', 's3');
    expect((await rest('DELETE', '/volumes/v1', { recursively_children: true })).status).toBe(204);
    expect(r.events).toEqual([
      'Pool-0 volumeCreated {"volume":"v1","sizeBytes":4194304}',
      'Pool-0 snapshotCreated {"volume":"v1","snapshot":"s1","sizeBytes":4194304}',
      'Pool-0 snapshotCreated {"volume":"v1","snapshot":"s2","sizeBytes":4194304}',
      'Pool-0 cloneCreated {"volume":"c1","origin":{"volume":"v1","snapshot":"s1"},"sizeBytes":4194304}',
      'Pool-0 volumeResized {"volume":"v1","sizeBytes":8388608}',
      'Pool-0 volumeRenamed {"from":"c1","to":"c2","snapshots":[]}',
      // zfs destroy -R: the dependent clone first, then the snapshot
      'Pool-0 volumeDeleted {"volume":"c2"}',
      'Pool-0 snapshotDeleted {"volume":"v1","snapshot":"s1"}',
      // rollback to the newest snapshot destroys nothing and restores its size
      'Pool-0 rolledBack {"volume":"v1","snapshot":"s2","sizeBytes":4194304}',
      'Pool-0 snapshotCreated {"volume":"v1","snapshot":"s3","sizeBytes":4194304}',
      'Pool-0 snapshotDeleted {"volume":"v1","snapshot":"s2"}',
      'Pool-0 snapshotDeleted {"volume":"v1","snapshot":"s3"}',
      'Pool-0 volumeDeleted {"volume":"v1"}',
    ]);
  });

  test('rollback to an older snapshot destroys the newer ones first; refused operations raise nothing', async () => {
    const r = recorder();
    sim = await startSimulator({ listen: ['127.0.0.1'], seed: 3, backend: r.backend });
    await createVolume(sim, 'v1', '4M');
    for (const s of ['a', 'b', 'c']) await createSnapshot(sim, 'v1', s);
    r.events.length = 0;
    expect((await rest('DELETE', '/volumes/v1')).status).toBe(500); // has snapshots
    expect((await rest('PUT', '/volumes/v1', { size: '5000' })).status).toBe(500); // not a block multiple
    expect(r.events).toEqual([]);
    expect((await rest('POST', '/volumes/v1/snapshots/a/rollback')).status).toBe(200);
    expect(r.events.map((e) => e.split(' ').slice(1, 2)[0])).toEqual(['snapshotDeleted', 'snapshotDeleted', 'rolledBack']);
    expect(r.events[0]).toContain('"snapshot":"b"');
    expect(r.events[1]).toContain('"snapshot":"c"');
  });

  test('the answer waits for the data path, and a data path failure is a 500 (never a false success)', async () => {
    const slow = recorder({ delayMs: 50, failOn: 'snapshotCreated' });
    sim = await startSimulator({ listen: ['127.0.0.1'], seed: 3, backend: slow.backend });
    await createVolume(sim, 'v1', '4M');
    expect(slow.events).toHaveLength(1); // already applied when the 201 arrived
    const snap = await rest('POST', '/volumes/v1/snapshots', { snapshot_name: 's1' });
    expect(snap.status).toBe(500);
    // the control API's bulk seed waits as well
    const seeded = await call(sim, 'POST', '/__simulator/seed', { body: { pool: 'Pool-0', volumes: 2, sizeBytes: 4 * 2 ** 20 } });
    expect(seeded.status).toBe(201);
    expect(slow.events).toHaveLength(3);
  });

  test('backend and dataPath are exclusive', async () => {
    await expect(
      startSimulator({ listen: ['127.0.0.1'], backend: noopBackend, dataPath: { kind: 'tgt', dataDir: '/nonexistent' } }),
    ).rejects.toThrow(/either backend or dataPath/);
  });
});
