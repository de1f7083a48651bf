// Host side of `pool check`: the initiator tools, daemons and configuration a Proxmox node
// needs before it can activate a volume. Reads only (files under the host root, /proc).
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Check } from '../../util/check';
import { processRunning } from '../devices/openers';
import { readText } from '../core/sysfs';
import { parseInitiatorName } from '../iscsi/parse';
import type { HostEnv } from '../core/types';

export interface HostCheckInput {
  /** Root of the host file system (/ in production). */
  hostRoot: string;
  multipath: boolean;
}

export function hostChecks(env: HostEnv, i: HostCheckInput): Check[] {
  const under = (p: string) => join(i.hostRoot, p);
  const out: Check[] = [];
  const tool = (name: 'iscsiadm' | 'multipath' | 'multipathd', pkg: string) => {
    const path = env.binaries[name];
    try {
      accessSync(path, constants.X_OK);
      out.push({ id: `tool:${name}`, status: 'ok', category: 'host', message: `${path} is installed` });
    } catch {
      out.push({ id: `tool:${name}`, status: 'fail', category: 'host', message: `${path} is missing`, fix: `apt install ${pkg}` });
    }
  };
  const daemon = (name: string, unit: string) => {
    const running = processRunning(under('proc'), name);
    out.push(
      running
        ? { id: `daemon:${name}`, status: 'ok', category: 'host', message: `${name} is running` }
        : {
            id: `daemon:${name}`,
            status: 'fail',
            category: 'host',
            message: `${name} is not running`,
            fix: `systemctl enable --now ${unit}`,
          },
    );
  };

  tool('iscsiadm', 'open-iscsi');
  daemon('iscsid', 'iscsid.socket iscsid.service');
  const initiator = initiatorName(under('etc/iscsi/initiatorname.iscsi'));
  out.push(
    initiator
      ? { id: 'initiator', status: 'ok', category: 'host', message: `initiator name ${initiator}` }
      : {
          id: 'initiator',
          status: 'fail',
          category: 'host',
          message: 'no InitiatorName in /etc/iscsi/initiatorname.iscsi',
          fix: 'write InitiatorName=$(iscsi-iname) into /etc/iscsi/initiatorname.iscsi, then restart iscsid',
        },
  );
  if (i.multipath) {
    tool('multipath', 'multipath-tools');
    tool('multipathd', 'multipath-tools');
    daemon('multipathd', 'multipathd');
    const dropIn = under('etc/multipath/conf.d/jdssc.conf');
    out.push(
      existsSync(dropIn)
        ? { id: 'multipath-config', status: 'ok', category: 'host', message: '/etc/multipath/conf.d/jdssc.conf is installed' }
        : {
            id: 'multipath-config',
            status: 'warn',
            category: 'host',
            message: '/etc/multipath/conf.d/jdssc.conf is missing: JovianDSS devices get multipath defaults',
            fix: 'reinstall the jdssc package (or copy config-examples/multipath/jdssc.conf), then systemctl reload multipathd',
          },
    );
  }
  return out;
}

function initiatorName(file: string): string | undefined {
  return parseInitiatorName(readText(file) ?? '');
}
