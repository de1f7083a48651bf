// `jdssc volume rename`: rename a volume; refuses to overwrite an existing one and verifies the result
import { defineCommand } from '../../cmdutil/command';
import { forceOption } from '../../cmdutil/options';
import { hostEnv } from '../../cmdutil/hostEnv';
import { loginSettings } from '../../cmdutil/settings';
import { vmidOption } from '../../cmdutil/parse';
import { UsageError } from '../../errors';
import { deactivateVolume } from '../../flows/login';
import { planRename, renameVolume, type RenameResult, type StorageContext, withFreeName } from '../../storage';

interface Args {
  name: string;
  'new-name'?: string;
  'expect-scsi-id'?: string;
  vmid?: string;
  base?: boolean;
  unpublish?: boolean;
  force?: boolean;
}

/** `unpublished` (whether it was published before) only with --unpublish. */
export type RenameAnswer = RenameResult & { unpublished?: boolean };

export default defineCommand<Args, RenameAnswer>({
  command: 'rename <name> [new-name]',
  mutates: true,
  describe: 'Rename a volume; refuses to overwrite an existing one and verifies the result',
  examples: [
    ['$0 volume rename vm-100-disk-0 base-100-disk-0', 'what converting a VM to a template does'],
    ['$0 volume rename vm-100-disk-0 vm-101-disk-0 --expect-scsi-id 9e697f6e11336500', 'safe to repeat: succeeds if already renamed'],
    [
      '$0 volume rename vm-100-disk-1 base-100-disk-1 --vmid 100 --base --unpublish',
      "a template conversion in one process: this host's devices down and the LUN unpublished first, the next free base- name if that one is taken",
    ],
  ],
  builder: (y) =>
    y
      .positional('name', { type: 'string' })
      .positional('new-name', { type: 'string', describe: 'the new name (or --vmid)' })
      .option('expect-scsi-id', { type: 'string', describe: 'the SCSI id the volume must have (makes a retried rename recognisable)' })
      .option('vmid', { type: 'string', describe: 'the first free disk name of this VM when <new-name> is not given or already taken' })
      .option('base', { type: 'boolean', describe: 'with --vmid: a template (base-…) name' })
      .option('unpublish', {
        type: 'boolean',
        describe: "first tear down this host's devices of the volume and unpublish it (checked renameable before)",
      })
      .options(forceOption)
      // at parse time, as for any missing positional: nothing runs
      .check((a) => {
        if (a['new-name'] === undefined && a.vmid === undefined)
          throw new UsageError('Not enough non-option arguments: got 1, need at least 2 (the new name), or --vmid');
        return true;
      }),
  run: async (a, f) => {
    const vmid = a.vmid === undefined ? undefined : vmidOption(a.vmid);
    if (a['new-name'] === undefined && vmid === undefined)
      throw new UsageError('give the new name, or --vmid for the first free name of a VM');
    if (a.base && vmid === undefined) throw new UsageError('--base goes with --vmid');
    const extra = (unpublished: boolean) => (a.unpublish ? { unpublished } : {});
    const ctx = await f.storage({ forceDetach: a.force === true });
    let to = a['new-name'];
    let expectScsiId = a['expect-scsi-id'];
    let unpublished = false;
    if (a.unpublish) {
      // Proof by reads before the first change: a rename that would be refused leaves the
      // volume published; the SCSI id read here guards the rename after the unpublish.
      const plan = await planRename(ctx, a.name, to, { expectScsiId, orFreeName: vmid !== undefined });
      if (plan.done) return { ...plan.done, ...extra(false) };
      const s = await loginSettings(f);
      unpublished = (await deactivateVolume(ctx, await hostEnv(f, [s.chap.secret]), s, { volume: a.name, unpublish: true })).unpublished;
      to = plan.to;
      expectScsiId = plan.scsiId ?? expectScsiId;
    }
    return { ...(await rename(ctx, a.name, to, vmid, a.base === true, expectScsiId)), ...extra(unpublished) };
  },
  human: (r, p) => {
    p.line(r.alreadyRenamed ? `${r.name} already has that name` : `renamed ${r.previousName} to ${r.name}`);
    if (r.unpublished) p.line('  unpublished on the array first');
  },
});

function rename(ctx: StorageContext, from: string, to: string | undefined, vmid: number | undefined, base: boolean, expectScsiId?: string) {
  if (vmid === undefined) return renameVolume(ctx, from, to as string, { expectScsiId });
  // a name taken meanwhile is refused (exit 4 inside): the next free name is tried
  return withFreeName(ctx, vmid, base, (name) => renameVolume(ctx, from, name, { expectScsiId }), to);
}
