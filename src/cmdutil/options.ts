// Options that several commands offer with one meaning. The factory reads `--force` into
// StorageContext.forceDetach: every command whose work may detach a LUN declares it from here.
import type { Options } from 'yargs';

export const forceOption: Record<'force', Options> = {
  force: { type: 'boolean', describe: 'detach even while other hosts are logged in to the target' },
};
