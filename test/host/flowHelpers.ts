// Shared pieces of the flow tests: requests, and "nothing left behind" checks on the fake host.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import type { ActivateRequest } from '../../src/host/lifecycle/activate';
import { type FakeHost, IQN, WWID0 } from './fakes/harness';

export const P2 = { address: '127.0.0.2', port: 3260 };
export const P3 = { address: '127.0.0.3', port: 3260 };

export function req(over: Partial<ActivateRequest> = {}): ActivateRequest {
  return {
    storageId: 'jdss',
    pool: 'Pool-0',
    volume: 'vm-100-disk-0',
    target: IQN,
    lun: 0,
    wwid: WWID0,
    portals: [P2, P3],
    multipath: true,
    ...over,
  };
}

export function cmdlines(h: FakeHost): string[] {
  return h.calls().map((c) => `${c.tool} ${c.argv.join(' ')}`);
}

export function nodeRecords(h: FakeHost): string[] {
  const root = join(h.root, 'etc/iscsi/nodes');
  return readdirSync(root).flatMap((t) => readdirSync(join(root, t)).map((p) => `${t}/${p}`));
}

export function recordFiles(h: FakeHost): string[] {
  const root = join(h.root, 'var/lib/jdssc/luns');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.json'));
}

/** No sessions, disks, maps, node records, allowed WWIDs or LUN records; no forbidden call. */
export function expectNothingLeft(h: FakeHost): void {
  const s = h.state();
  expect(s.sessions).toEqual([]);
  expect(Object.keys(s.disks)).toEqual([]);
  expect(Object.keys(s.maps)).toEqual([]);
  expect(s.wwids).toEqual([]);
  expect(nodeRecords(h)).toEqual([]);
  expect(recordFiles(h)).toEqual([]);
  expect(readdirSync(join(h.root, 'dev/disk/by-path'))).toEqual([]);
  expect(readdirSync(join(h.root, 'dev/mapper'))).toEqual([]);
  expect(h.violations()).toEqual([]);
}
