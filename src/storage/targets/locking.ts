// Lock keys of the array changes two jdssc processes (on one node or on two) could race on.
// One key per VM target group covers its targets' existence, their LUN numbers, and cleanup
// deleting them: a target is created, filled, emptied and deleted only under its group's key.
// One key per export clone covers its existence against publish and cleanup. Order, when a
// caller needs both: export clone first, then group (never the other way: no deadlock).
import type { StorageContext } from '../context';
import { groupOfTarget } from './targetNames';

export const lockKeys = {
  /** The targets of one VM group (`<prefix>:vm-<vmid>`, or a target's name without its index). */
  group: (ctx: StorageContext, base: string): string => `targets-${ctx.pool}-${base.toLowerCase()}`,
  /** The group of an existing target, whatever its naming. */
  targetGroup: (ctx: StorageContext, target: string): string => lockKeys.group(ctx, groupOfTarget(target)),
  /** One export clone (or any physical volume whose existence a publish relies on). */
  volume: (ctx: StorageContext, physical: string): string => `volume-${ctx.pool}-${physical}`,
};
