// Blast-radius guard: the host code must never contain a host-wide multipath / iSCSI / udev
// operation, never spawn through a shell, and every per-WWID call must validate its WWID.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { dmOpenCount, dmRemove, dmStatus } from '../../src/host/multipath/dmsetup';
import {
  addWwid,
  createMap,
  daemonAddMap,
  daemonAddPath,
  daemonDelMap,
  daemonResizeMap,
  flushMap,
  removeWwid,
  showMap,
} from '../../src/host/multipath/tool';
import { triggerDevice } from '../../src/host/devices/udevadm';
import { scriptedEnv } from './fakes/scripted';

const SRC = fileURLToPath(new URL('../../src/host/', import.meta.url));

/** Source without comments, so prose may name what the code must not do. */
function code(file: string): string {
  return readFileSync(join(SRC, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

// Every file under src/host/, its sub-folders included (paths relative to src/host/).
const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();

test('the guard sees the whole host tree', () => {
  expect(files.length).toBeGreaterThan(25);
  expect(files).toContain('core/exec.ts');
});

describe('src/host never issues host-wide operations', () => {
  test.each([
    ['multipath -F (flush every map)', /['"`]-F['"`]/],
    ['multipath -r / iscsiadm -R (reload / rescan everything)', /['"`]-[rR]['"`]\s*\]/],
    ['multipathd reconfigure', /reconfigure/],
    ['iscsiadm --logoutall', /logoutall/],
    ['rescan-scsi-bus.sh', /rescan-scsi-bus/],
    ['dmsetup remove_all', /remove_all/],
    ['a bare multipath call', /runTool\(\s*\w+\s*,\s*['"]multipath['"]\s*,\s*\[\s*\]/],
    ['a shell', /child_process|shell\s*:\s*true|execSync|spawnSync/],
    ['a fixed sleep via setTimeout', /setTimeout\(/],
  ])('no %s', (_what, pattern) => {
    const hits = files.filter((f) => pattern.test(code(f)));
    expect(hits).toEqual([]);
  });

  test('--rescan only ever goes with one session id (-r <sid>)', () => {
    for (const f of files) {
      for (const line of code(f)
        .split('\n')
        .filter((l) => l.includes("'--rescan'")))
        expect(line).toMatch(/'-r', String\(sid\)/);
    }
  });

  test('--logout and -o delete only ever go with an exact target and portal', () => {
    for (const f of files) {
      for (const line of code(f)
        .split('\n')
        .filter((l) => /'--logout'|'delete'\]/.test(l)))
        expect(line).toMatch(/nodeArgs\(target, p\)/);
    }
  });

  test('only the executor runs processes', () => {
    const spawners = files.filter((f) => /from 'execa'|import\('execa'\)/.test(code(f)));
    expect(spawners).toEqual(['core/exec.ts']);
  });
});

describe('per-WWID wrappers refuse anything that is not one WWID', () => {
  const bad = ['', '-F', '--all', 'a b', '../x', '-r'];
  const fns: Array<[string, (env: ReturnType<typeof scriptedEnv>, w: string) => Promise<unknown>]> = [
    ['addWwid', addWwid],
    ['removeWwid', removeWwid],
    ['showMap', showMap],
    ['flushMap', flushMap],
    ['createMap', createMap],
    ['daemonAddMap', daemonAddMap],
    ['daemonDelMap', daemonDelMap],
    ['daemonResizeMap', daemonResizeMap],
    ['daemonAddPath', daemonAddPath],
    ['dmStatus', dmStatus],
    ['dmOpenCount', dmOpenCount],
    ['dmRemove', (e, w) => dmRemove(e, w, 'deferred')],
  ];
  test.each(fns)('%s', async (_name, fn) => {
    const env = scriptedEnv(() => ({ code: 0 }));
    for (const w of bad) await expect(fn(env, w)).rejects.toThrow(/invalid (WWID|path device)/);
    expect(env.calls).toEqual([]);
  });

  test('udev triggers address one block device only', async () => {
    const env = scriptedEnv(() => ({ code: 0 }));
    await expect(triggerDevice(env, '/sys/class/block')).rejects.toThrow(/one block device only/);
    await expect(triggerDevice(env, '')).rejects.toThrow(/one block device only/);
    await triggerDevice(env, '/sys/block/sdb');
    expect(env.calls.map((c) => c.args)).toEqual([['trigger', '--action=change', '/sys/block/sdb']]);
  });
});
