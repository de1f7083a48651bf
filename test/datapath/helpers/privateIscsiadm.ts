// The real iscsiadm, but with its own state: every call runs in a fresh private mount namespace
// (`unshare -m`) where a test directory is bind-mounted over /etc/iscsi (node records, config,
// initiator name) and over /run/lock (its lock file), so the host's open-iscsi state is never
// touched. On the host, iscsiadm edits records fine but cannot reach iscsid (the host kernel has
// no iSCSI, so iscsid cannot run):
// discovery exits 12, login 20, `-m session` 21.
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, which } from './tools';

export interface PrivateHost {
  /** host_root for jdssc: its iscsi DB roots, records and locks live under it. */
  root: string;
  /** host_tools_dir for jdssc: iscsiadm (wrapped), fakes for the rest. */
  tools: string;
  /** One line per tool call: `<tool> <args> -> <exit>`. */
  callLog: string;
  /** The real iscsiadm, in the same private view (for assertions). */
  iscsiadm(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

const OTHER_TOOLS = ['multipath', 'multipathd', 'dmsetup', 'udevadm', 'blockdev'];

/** Fails with a clear message when unshare cannot give us a mount namespace. */
export async function privateHost(dir: string): Promise<PrivateHost> {
  const iscsiadm = which('iscsiadm');
  const unshare = which('unshare');
  if (!iscsiadm || !unshare) throw new Error('the real-iscsiadm test needs iscsiadm (open-iscsi) and unshare (util-linux)');
  const root = join(dir, 'host');
  const etc = join(root, 'etc/iscsi');
  const lock = join(root, 'run/lock');
  const tools = join(dir, 'tools');
  const callLog = join(dir, 'calls.log');
  for (const d of [etc, lock, join(root, 'sys'), join(root, 'dev'), tools]) mkdirSync(d, { recursive: true });
  for (const f of ['iscsid.conf']) if (existsSync(`/etc/iscsi/${f}`)) copyFileSync(`/etc/iscsi/${f}`, join(etc, f));
  writeFileSync(join(etc, 'initiatorname.iscsi'), 'InitiatorName=iqn.2024-01.test.jdssc:private-host\n');
  writeFileSync(callLog, '');

  const wrapper = join(tools, 'iscsiadm');
  writeFileSync(
    wrapper,
    `#!/bin/sh
# real iscsiadm in a private mount namespace over ${etc}
${unshare} -m sh -c 'mount --bind "$0" /etc/iscsi && mount --bind "$1" /run/lock && shift && exec ${iscsiadm} "$@"' '${etc}' '${lock}' "$@"
rc=$?
echo "iscsiadm $* -> $rc" >>'${callLog}'
exit $rc
`,
  );
  chmodSync(wrapper, 0o755);
  for (const tool of OTHER_TOOLS) {
    const p = join(tools, tool);
    writeFileSync(p, `#!/bin/sh\necho "${tool} $* -> 1" >>'${callLog}'\necho "${tool}: not available in this test" >&2\nexit 1\n`);
    chmodSync(p, 0o755);
  }
  const host: PrivateHost = { root, tools, callLog, iscsiadm: (args) => run(wrapper, args, 15_000) };
  // Prove the namespace trick works here before any test relies on it.
  const probe = await run(unshare, [
    '-m',
    'sh',
    '-c',
    `mount --bind '${etc}' /etc/iscsi && test -f /etc/iscsi/initiatorname.iscsi && grep -q private-host /etc/iscsi/initiatorname.iscsi`,
  ]);
  if (probe.code !== 0)
    throw new Error(
      `unshare -m with a bind mount over /etc/iscsi does not work here (root and a kernel with mount namespaces are needed): ${probe.stderr.trim()}`,
    );
  return host;
}
