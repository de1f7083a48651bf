// Human renderings shared by the volume commands.
import { type Printer, humanBytes } from './output';
import type { VolumeView } from '../storage';

export function renderVolume(v: VolumeView, p: Printer): void {
  p.fields([
    ['name', v.name],
    ['vmid', v.vmid],
    ['size', `${humanBytes(v.size)} (${v.size} bytes)`],
    ['block size', v.blockSize === null ? null : humanBytes(v.blockSize)],
    ['provisioning', v.thin === null ? null : v.thin ? 'thin' : 'thick'],
    ['origin', v.origin ? `${v.origin.volume}${v.origin.snapshot ? `@${v.origin.snapshot}` : ' (whole-volume clone)'}` : null],
    ['scsi id', v.scsiId],
    ['wwid', v.wwid],
    ['created', v.creation === null ? null : new Date(v.creation * 1000).toISOString()],
    ['on array as', v.physicalName],
  ]);
}

export function when(epoch: number | null): string | null {
  return epoch === null
    ? null
    : new Date(epoch * 1000)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
}

/** `volume` or `volume@snapshot`, as users name what a command acted on. */
export function volumeRef(r: { volume: string; snapshot?: string | null }): string {
  return r.snapshot ? `${r.volume}@${r.snapshot}` : r.volume;
}
