// `jdssc login activate`: publish a volume (or snapshot) if needed, log in on every data portal, wait for the device (and …
import { defineCommand } from '../../cmdutil/command';
import { sizeText } from '../../cmdutil/render';
import { activateVolume, type Activation } from '../../flows/login';
import { vmidOption } from '../../cmdutil/parse';
import { loginSettings } from '../../cmdutil/settings';
import { rememberedDown, statusSlotOf } from '../../cmdutil/statusCache';
import { hostEnv } from '../../cmdutil/hostEnv';
import type { Factory } from '../../cmdutil/factory';
import { UnreachableError } from '../../errors';
import { poolStats } from '../../storage';

export default defineCommand<{ volume: string; snapshot?: string; vmid?: string }, Activation>({
  command: 'activate <volume>',
  mutates: true,
  describe:
    'Publish a volume (or snapshot) if needed, log in on every data portal, wait for the device (and multipath map); prints the device',
  examples: [
    ['$0 login activate vm-100-disk-0', 'what Proxmox does before starting VM 100'],
    ['$0 login activate vm-100-disk-0 --snapshot before-upgrade --json', 'a snapshot, read-only, as its own device'],
  ],
  builder: (y) =>
    y
      .positional('volume', { type: 'string' })
      .option('snapshot', { type: 'string', describe: 'activate this snapshot of the volume' })
      .option('vmid', { type: 'string', describe: 'VM whose target group to use (default: from the volume name)' }),
  run: async (a, f) => {
    const s = await loginSettings(f);
    const ref = { volume: a.volume, snapshot: a.snapshot, vmid: a.vmid === undefined ? undefined : vmidOption(a.vmid) };
    return activateVolume(
      () => f.storage(),
      await hostEnv(f, [s.chap.secret]),
      { ...s, pool: f.settings().pool },
      ref,
      () => arrayAnswers(f),
    );
  },
  human: (r, p) => {
    p.fields([
      ['device', r.device],
      ['wwid', r.wwid],
      ['size', sizeText(r.sizeBytes)],
      ['target', `${r.target} LUN ${r.lun}`],
      ['multipath', r.multipath ? 'yes' : 'no'],
    ]);
    for (const x of r.portals) p.line(`  ${x.ok ? 'ok  ' : 'FAIL'} ${x.address}:${x.port}${x.error ? `  ${x.error}` : ''}`);
    if (r.degraded) p.line('degraded: not every portal gave a path; run activate again once the portal is back');
    if (r.answeredBy === 'host-record')
      p.line('the array did not answer: active as recorded on this host (sessions, paths and map checked)');
  },
});

/**
 * Does the array answer? No when this node's status poll found it unreachable within the last
 * seconds (no request then), else one quick round: one GET per control address, 5 s at most
 * each. Any answer but "unreachable" (an error too) counts as yes: the normal path then says it.
 */
async function arrayAnswers(f: Factory): Promise<boolean> {
  if (rememberedDown(statusSlotOf(f), f.clock.now())) return false;
  try {
    await poolStats(await f.quickRest());
    return true;
  } catch (e) {
    return !(e instanceof UnreachableError);
  }
}
