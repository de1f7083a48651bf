// The zvol images: sparse files, snapshots and clones as copies, rollback in place.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ImageStore } from '../../src/simulator/dataPath/files';
import { tempDir } from '../helpers/tmp';
import { requireTools } from './helpers/tools';

const MiB = 2 ** 20;
const tmp = tempDir('jdssc-images-');
const store = new ImageStore(join(tmp.dir, 'data'));
const P = 'Pool-0';
beforeAll(() => requireTools(['cp']));
afterAll(() => tmp.cleanup());

async function put(path: string, offset: number, text: string): Promise<void> {
  const fh = await open(path, 'r+');
  await fh.write(Buffer.from(text), 0, text.length, offset);
  await fh.close();
}
const at = (path: string, offset: number, n: number) =>
  readFileSync(path)
    .subarray(offset, offset + n)
    .toString();
const allocated = (path: string) => statSync(path).blocks * 512;

describe('ImageStore', () => {
  test('a new volume is a zeroed sparse file of its size, under <dataDir>/<pool>/<volume>.img', async () => {
    await store.apply(P, { kind: 'volumeCreated', volume: 'v1', sizeBytes: 64 * MiB });
    const v1 = store.volumePath(P, 'v1');
    expect(v1).toBe(join(tmp.dir, 'data', P, 'v1.img'));
    expect(statSync(v1).size).toBe(64 * MiB);
    expect(allocated(v1)).toBeLessThan(64 * 1024);
    expect(statSync(join(tmp.dir, 'data', P)).mode & 0o777).toBe(0o700);
  });

  test('a snapshot keeps the content of its time; a clone starts from its snapshot', async () => {
    const v1 = store.volumePath(P, 'v1');
    await put(v1, 5 * MiB, 'old-data');
    await store.apply(P, { kind: 'snapshotCreated', volume: 'v1', snapshot: 's1', sizeBytes: 64 * MiB });
    await put(v1, 5 * MiB, 'new-data');
    const s1 = store.snapshotPath(P, 'v1', 's1');
    expect(s1).toBe(join(tmp.dir, 'data', P, 'v1@s1.img'));
    expect(at(s1, 5 * MiB, 8)).toBe('old-data');
    expect(allocated(s1)).toBeLessThan(MiB); // the copy is sparse too
    await store.apply(P, { kind: 'cloneCreated', volume: 'c1', origin: { volume: 'v1', snapshot: 's1' }, sizeBytes: 64 * MiB });
    expect(at(store.volumePath(P, 'c1'), 5 * MiB, 8)).toBe('old-data');
    expect(at(v1, 5 * MiB, 8)).toBe('new-data');
  });

  test('resize grows the file and keeps the data', async () => {
    await store.apply(P, { kind: 'volumeResized', volume: 'v1', sizeBytes: 96 * MiB });
    const v1 = store.volumePath(P, 'v1');
    expect(statSync(v1).size).toBe(96 * MiB);
    expect(at(v1, 5 * MiB, 8)).toBe('new-data');
  });

  test('rollback restores content and size in place (same inode: an open LUN serves it at once)', async () => {
    const v1 = store.volumePath(P, 'v1');
    const inode = statSync(v1).ino;
    await store.apply(P, { kind: 'rolledBack', volume: 'v1', snapshot: 's1', sizeBytes: 64 * MiB });
    expect(statSync(v1).ino).toBe(inode);
    expect(statSync(v1).size).toBe(64 * MiB);
    expect(at(v1, 5 * MiB, 8)).toBe('old-data');
  });

  test('a rename carries the snapshots along; deletes remove exactly their files', async () => {
    await store.apply(P, { kind: 'volumeRenamed', from: 'v1', to: 'v2', snapshots: ['s1'] });
    expect(readdirSync(join(tmp.dir, 'data', P)).sort()).toEqual(['c1.img', 'v2.img', 'v2@s1.img']);
    await store.apply(P, { kind: 'volumeDeleted', volume: 'c1' });
    await store.apply(P, { kind: 'snapshotDeleted', volume: 'v2', snapshot: 's1' });
    expect(readdirSync(join(tmp.dir, 'data', P))).toEqual(['v2.img']);
  });

  test('creating over a leftover file starts from zeros; a restored volume keeps its image', async () => {
    const v2 = store.volumePath(P, 'v2');
    await put(v2, 0, 'keep-me');
    await store.apply(P, { kind: 'volumeCreated', volume: 'v2', sizeBytes: 64 * MiB, restored: true });
    expect(at(v2, 0, 7)).toBe('keep-me');
    await store.apply(P, { kind: 'volumeCreated', volume: 'v2', sizeBytes: 32 * MiB });
    expect(at(v2, 0, 7)).toBe('\0'.repeat(7));
    expect(statSync(v2).size).toBe(32 * MiB);
    // a restored snapshot whose image is gone comes back as zeros rather than failing the start
    await store.apply(P, { kind: 'snapshotCreated', volume: 'gone', snapshot: 'x', sizeBytes: MiB, restored: true });
    expect(statSync(store.snapshotPath(P, 'gone', 'x')).size).toBe(MiB);
  });

  test('disk use counts allocated blocks only; a missing source fails loudly', async () => {
    expect(await store.diskUsage()).toBeLessThan(2 * MiB);
    await expect(store.apply(P, { kind: 'snapshotCreated', volume: 'nope', snapshot: 's', sizeBytes: MiB })).rejects.toThrow(
      /cp .* exited 1/,
    );
    expect(() => store.volumePath('../x', 'v')).toThrow(/cannot be a directory name/);
  });
});
