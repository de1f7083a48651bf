import type { TargetBackend } from '../../src/simulator';

export declare const FAKE_INITIATOR: string;
export declare function fakeDataPath(statePath: string, dataPort?: number): TargetBackend;
