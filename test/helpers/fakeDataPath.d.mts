import type { TargetBackend } from '../../src/simulator';

export declare const FAKE_INITIATOR: string;
/** One host of a multi-host data path: its fake host state file and its iSCSI initiator name. */
export interface FakeDataPathHost {
  statePath: string;
  initiator: string;
  /** The address its sessions come from, as the appliance reports it (default 127.0.0.1). */
  address?: string;
}
export declare function fakeDataPath(statePaths: string | FakeDataPathHost[], dataPort?: number): TargetBackend;
