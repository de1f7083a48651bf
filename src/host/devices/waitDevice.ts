// Waiting for a LUN's SCSI devices after login: the by-path link of every logged-in portal and
// the by-id link of the WWID, each resolving to a device with a non-zero size. Between checks,
// escalating rescans of this target's sessions only: a `- - <lun>` scan on the session's SCSI
// host, READ CAPACITY on zero-sized disks, an iscsiadm session rescan, a udev replay of our disks.
import { HostError } from '../../errors';
import { tuning } from '../core/defaults';
import { blockDir, byIdLink, byPathLink, rescanDevice, resolveBlock, sizeBytes } from './links';
import { rescanSession } from '../iscsi/iscsiadm';
import type { Session } from '../iscsi/parse';
import { escalator, pollUntil } from '../core/poll';
import { formatPortal } from '../iscsi/portal';
import { scanHostLun, sessionDisks, sessionHost } from '../iscsi/scsiHosts';
import { settle, triggerDevice } from './udevadm';
import type { HostEnv, Portal } from '../core/types';

export interface LunSpec {
  target: string;
  lun: number;
  wwid: string;
  /** Portals with a session (only these are expected to show a path). */
  portals: Portal[];
  /** The sessions of exactly (portal, target) for those portals. */
  sessions: Session[];
}

export interface LinkState {
  link: string;
  /** Kernel name the link resolves to, null while missing. */
  name: string | null;
  sizeBytes: number | null;
}

export interface PathState extends LinkState {
  portal: Portal;
}

export interface LunDevices {
  paths: PathState[];
  byId: LinkState;
}

export function linkState(env: Pick<HostEnv, 'roots'>, link: string): LinkState {
  const name = resolveBlock(env, link);
  return { link, name, sizeBytes: name ? sizeBytes(env, name) : null };
}

export function usable(s: LinkState): boolean {
  return s.name !== null && (s.sizeBytes ?? 0) > 0;
}

export function inspectLun(env: HostEnv, spec: Pick<LunSpec, 'target' | 'lun' | 'wwid' | 'portals'>): LunDevices {
  return {
    paths: spec.portals.map((p) => ({ portal: p, ...linkState(env, byPathLink(env, p, spec.target, spec.lun)) })),
    byId: linkState(env, byIdLink(env, spec.wwid)),
  };
}

function describeLink(s: LinkState): string {
  if (!s.name) return 'missing';
  return usable(s) ? `${s.name} (${s.sizeBytes} bytes)` : `${s.name} with size 0`;
}

export function describeLun(spec: Pick<LunSpec, 'target' | 'lun' | 'wwid'>, d: LunDevices): string {
  const paths = d.paths.map((p) => `${formatPortal(p.portal)} ${describeLink(p)}`).join(', ');
  return `by-id scsi-${spec.wwid}: ${describeLink(d.byId)}; by-path: ${paths || 'no logged-in portal'}`;
}

/** Our LUN's disks as the sessions carry them in sysfs (also before udev made any link). */
function sessionLunDisks(env: HostEnv, spec: LunSpec): string[] {
  return spec.sessions.flatMap((s) =>
    sessionDisks(env, s.sid)
      .filter((d) => d.lun === spec.lun && d.name)
      .map((d) => d.name as string),
  );
}

/** One escalation round; every action is limited to this target's sessions and this LUN. */
export async function rescanLun(env: HostEnv, spec: LunSpec, level: number): Promise<void> {
  for (const s of spec.sessions) {
    const host = sessionHost(env, s.sid);
    if (host !== null) scanHostLun(env, host, spec.lun);
    if (host === null || level >= 2) await rescanSession(env, s.sid);
  }
  const d = inspectLun(env, spec);
  const disks = new Set([...sessionLunDisks(env, spec), ...d.paths.flatMap((p) => (p.name ? [p.name] : []))]);
  for (const name of disks) if ((sizeBytes(env, name) ?? 0) === 0) rescanDevice(env, name);
  if (level >= 3) {
    // Disks the kernel has but udev never linked: replay their uevent, one device at a time.
    const linked = new Set(d.paths.map((p) => p.name).concat(d.byId.name));
    for (const name of disks) if (!linked.has(name) || !d.byId.name) await triggerDevice(env, blockDir(env, name), 'add');
    await settle(env);
  }
}

/**
 * Wait until the LUN is usable. Resolves `complete: false` when the by-id device is usable and
 * at least one portal's path is, but others stayed missing past the grace (a degraded start the
 * caller must report). Throws at the deadline when the LUN never became usable.
 */
export async function waitForLun(env: HostEnv, spec: LunSpec): Promise<{ devices: LunDevices; complete: boolean }> {
  const t = tuning(env);
  const due = escalator([1_000, 3_000, 7_000, 15_000], 10_000);
  let usableSince: number | null = null;
  const r = await pollUntil(env, {
    budgetMs: t.deviceWaitMs,
    check: () => {
      const d = inspectLun(env, spec);
      const ok = d.paths.filter(usable).length;
      if (usable(d.byId) && ok === d.paths.length) return { devices: d, complete: true };
      if (usable(d.byId) && ok > 0) {
        usableSince ??= env.clock.now();
        if (env.clock.now() - usableSince >= t.pathGraceMs) return { devices: d, complete: false };
      }
      return undefined;
    },
    onMiss: async (_miss, elapsed) => {
      const level = due(elapsed);
      if (level > 0) await rescanLun(env, spec, level);
    },
  });
  if (r.ok) return r.value;
  const d = inspectLun(env, spec);
  if (usable(d.byId) && d.paths.some(usable)) return { devices: d, complete: false };
  throw new HostError(
    `LUN ${spec.lun} of ${spec.target} (WWID ${spec.wwid}) did not become usable within ${Math.round(r.elapsedMs / 1000)} s: ${describeLun(spec, d)}`,
    { reason: 'device_timeout', target: spec.target, lun: spec.lun, wwid: spec.wwid },
  );
}
