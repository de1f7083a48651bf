// Target names: one group per VM, `<target_prefix>:vm-<vmid>-<n>`; n grows only when every
// target of the group holds luns_per_target LUNs (upstream's scheme, so existing targets stay valid).
export function groupBase(targetPrefix: string, vmid: number): string {
  return `${targetPrefix.replace(/:$/, '')}:vm-${vmid}`;
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
