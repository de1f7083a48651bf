import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from '@jest/globals';
import { describeUsers, diskUsers, inUse } from '../../src/host/devices/openers';
import { tempDir } from '../helpers/tmp';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const roots = { sys: join(tmp.dir, 'sys'), dev: join(tmp.dir, 'dev'), iscsiDb: [], records: '', locks: '', proc: join(tmp.dir, 'proc') };

test('a disk is in use when a process holds it open or it is mounted; otherwise not', () => {
  mkdirSync(join(roots.sys, 'block/sdb'), { recursive: true });
  writeFileSync(join(roots.sys, 'block/sdb/dev'), '8:16\n');
  mkdirSync(join(roots.proc, 'self'), { recursive: true });
  writeFileSync(join(roots.proc, 'self/mountinfo'), '22 1 0:21 / /proc rw - proc proc rw\n');
  expect(inUse(diskUsers({ roots }, 'sdb'))).toBe(false);

  mkdirSync(join(roots.proc, '777/fd'), { recursive: true });
  symlinkSync('/dev/sdb', join(roots.proc, '777/fd/3'));
  symlinkSync('/dev/sdbb', join(roots.proc, '777/fd/4'));
  expect(diskUsers({ roots }, 'sdb')).toEqual({ pids: [777], mounted: false });

  // multipathd keeps every path open for its checkers: that alone is not a user
  mkdirSync(join(roots.proc, '812/fd'), { recursive: true });
  writeFileSync(join(roots.proc, '812/comm'), 'multipathd\n');
  symlinkSync('/dev/sdb', join(roots.proc, '812/fd/7'));
  expect(diskUsers({ roots }, 'sdb').pids).toEqual([777]);

  writeFileSync(
    join(roots.proc, 'self/mountinfo'),
    '22 1 0:21 / /proc rw - proc proc rw\n95 30 8:16 / /var/lib/lxc/101/rootfs rw - ext4 /dev/sdb rw\n',
  );
  const u = diskUsers({ roots }, 'sdb');
  expect(u.mounted).toBe(true);
  expect(describeUsers(u)).toBe('mounted, open by pid 777');
  expect(inUse(diskUsers({ roots }, 'sdc'))).toBe(false);
});
