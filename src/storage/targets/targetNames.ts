// Target names: one group per VM, `<target_prefix>:vm-<vmid>-<n>`; n grows only when every
// target of the group holds luns_per_target LUNs. A storage with a
// cluster_prefix gets its own groups, `<target_prefix>:<cluster prefix>-vm-<vmid>-<n>`, so two
// clusters sharing a pool and a target prefix are as separate on targets as on volumes.
// Without a cluster prefix the names are exactly upstream's (existing targets keep working).

/** IQNs compare case-insensitively (RFC 3722 folds them to lower case): so does the prefix part. */
function clusterPart(clusterPrefix?: string): string {
  return clusterPrefix ? `${clusterPrefix.toLowerCase()}-` : '';
}

function prefixOf(targetPrefix: string): string {
  return targetPrefix.replace(/:$/, '');
}

export function groupBase(targetPrefix: string, vmid: number, clusterPrefix?: string): string {
  return `${prefixOf(targetPrefix)}:${clusterPart(clusterPrefix)}vm-${vmid}`;
}

export function targetName(base: string, index: number): string {
  return `${base}-${index}`;
}

/** Index of a target in the group, or undefined if the name is not of the group. */
export function groupIndex(base: string, name: string): number | undefined {
  // Escaped: a foreign IQN that differs only where ours has '.' must not match (unescaped, such a
  // target could be given our LUNs).
  const m = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(name);
  return m ? Number(m[1]) : undefined;
}

/** A VM group target of some cluster prefix: `<word>-vm-<vmid>-<n>` after the target prefix. */
const CLUSTERED_GROUP = /^[a-z][a-z0-9]*-vm-\d+-\d+$/;

/**
 * Whether a target belongs to this storage's naming: under its target prefix, and with its
 * cluster prefix when it has one. Without a cluster prefix, another cluster's groups
 * (`<prefix>-vm-…`) are not ours: cleanup must not judge what that cluster's locks protect.
 */
export function ownsTarget(targetPrefix: string, clusterPrefix: string | undefined, name: string): boolean {
  const head = `${prefixOf(targetPrefix)}:`;
  if (!name.startsWith(head)) return false;
  const tail = name.slice(head.length);
  if (clusterPrefix) return tail.startsWith(clusterPart(clusterPrefix));
  return !CLUSTERED_GROUP.test(tail);
}

/** The group a target name belongs to (its name without the `-<n>` index): what its lock is keyed on. */
export function groupOfTarget(name: string): string {
  return name.replace(/-\d+$/, '');
}
