// `jdssc volume rename`: rename a volume; refuses to overwrite an existing one and verifies the result
import { defineCommand } from '../../cmdutil/command';
import { renameVolume, type RenameResult } from '../../storage';

export default defineCommand<{ name: string; 'new-name': string; 'expect-scsi-id'?: string }, RenameResult>({
  command: 'rename <name> <new-name>',
  mutates: true,
  describe: 'Rename a volume; refuses to overwrite an existing one and verifies the result',
  examples: [
    ['$0 volume rename vm-100-disk-0 base-100-disk-0', 'what converting a VM to a template does'],
    ['$0 volume rename vm-100-disk-0 vm-101-disk-0 --expect-scsi-id 9e697f6e11336500', 'safe to repeat: succeeds if already renamed'],
  ],
  builder: (y) =>
    y
      .positional('name', { type: 'string' })
      .positional('new-name', { type: 'string' })
      .option('expect-scsi-id', { type: 'string', describe: 'the SCSI id the volume must have (makes a retried rename recognisable)' }),
  run: async (a, f) => renameVolume(await f.storage(), a.name, a['new-name'], { expectScsiId: a['expect-scsi-id'] }),
  human: (r, p) => p.line(r.alreadyRenamed ? `${r.name} already has that name` : `renamed ${r.previousName} to ${r.name}`),
});
