// Fake udevadm (settle; trigger for one device) and blockdev (--getsize64).
import * as fs from 'node:fs';
import { basename } from 'node:path';
import { udevLinks } from './kernel.mjs';

const ok = (stdout = '') => ({ code: 0, stdout, stderr: '' });
const err = (code, stderr) => ({ code, stdout: '', stderr });

export function udevadm(state, argv) {
  if (argv[0] === 'settle') return ok();
  if (argv[0] === 'trigger') {
    const dev = argv.find((x) => !x.startsWith('-') && x !== 'trigger');
    if (!dev) {
      state.violations.push(`udevadm ${argv.join(' ')} (host-wide trigger)`);
      return err(2, 'fake udevadm: host-wide trigger refused by the test harness\n');
    }
    const name = basename(dev);
    if (state.disks[name]) udevLinks(state, name);
    return ok();
  }
  state.violations.push(`udevadm ${argv.join(' ')}`);
  return err(2, 'fake udevadm: unsupported\n');
}

export function blockdev(state, argv) {
  if (argv[0] !== '--getsize64' || !argv[1]) return err(1, 'blockdev: usage\n');
  let name;
  try {
    name = basename(fs.realpathSync(argv[1]));
  } catch {
    return err(1, `blockdev: cannot open ${argv[1]}: No such file or directory\n`);
  }
  const d = state.disks[name];
  const m = Object.values(state.maps).find((x) => x.dm === name);
  const size = d ? d.sizeBytes : m ? m.sizeBytes : null;
  if (size === null) return err(1, `blockdev: cannot open ${argv[1]}: No such device or address\n`);
  return ok(`${size}\n`);
}
