// Human renderings shared by the commands: one format for sizes (sizeText) and one for times (when).
import { type Printer, humanBytes } from './output';
import type { VolumeView } from '../storage';

export function renderVolume(v: VolumeView, p: Printer): void {
  p.fields([
    ['name', v.name],
    ['vmid', v.vmid],
    ['size', sizeText(v.size)],
    ['block size', v.blockSize === null ? null : humanBytes(v.blockSize)],
    ['provisioning', v.thin === null ? null : v.thin ? 'thin' : 'thick'],
    ['origin', v.origin ? `${v.origin.volume}${v.origin.snapshot ? `@${v.origin.snapshot}` : ' (whole-volume clone)'}` : null],
    ['scsi id', v.scsiId],
    ['wwid', v.wwid],
    ['created', when(v.creation)],
    ['on array as', v.physicalName],
  ]);
}

/** The one human format of a size in key/value output: "1.0 GiB (1073741824 bytes)". */
export function sizeText(bytes: number | null): string | null {
  return bytes === null ? null : `${humanBytes(bytes)} (${bytes} bytes)`;
}

/** The one human format of a time: "2026-01-02 03:04:05Z" (UTC, to the second). */
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
