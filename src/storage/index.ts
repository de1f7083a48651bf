// Public API of the array side: volumes, snapshots, targets, pool, checks and orphans, spoken in
// Proxmox names. Layers above import from here only; JovianDSS REST shapes stay below (jovian/).
export * from './context';
export * from './pool';
export * from './check';
export * from './arrayOrphans';
export * from './volumes/volumes';
export * from './volumes/clone';
export * from './volumes/delete';
export * from './volumes/rename';
export * from './snapshots/snapshots';
export * from './snapshots/rollback';
export * from './targets/publish';
export * from './targets/unpublish';
export * from './targets/query';
export * from './targets/exportClone';
export { lockKeys } from './targets/locking';
export { groupBase, ownsTarget } from './targets/targetNames';
export * from './nas/names';
export * from './nas/volumes';
export * from './nas/shares';
export * from './nas/snapshots';
export * from './nas/rollback';
export * from './nas/delete';
