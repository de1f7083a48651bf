// Types of lib/nfs.mjs for the TypeScript tests.
import type { FakeState } from './state.mjs';
export interface NfsFakeResult {
  code: number;
  stdout: string;
  stderr: string;
  delayMs?: number;
}
export function mount(state: FakeState, argv: string[]): NfsFakeResult;
export function umount(state: FakeState, argv: string[]): NfsFakeResult;
export function addForeignMount(state: FakeState, path: string, source: string, fsType?: string): void;
export function runNfsFake(statePath: string, tool: 'mount' | 'umount', argv: string[], now?: number): NfsFakeResult;
export function main(tool: string): Promise<void>;
