// Types of the fake host's state file helpers (state.mjs). The state is plain JSON that each
// fake tool reads and writes; tests look into it by field, so it is typed as a JSON record.
export type FakeState = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form JSON, shaped by state.mjs
export declare function loadState(statePath: string): FakeState;
export declare function saveState(statePath: string, state: unknown): void;
export declare function withState<T>(statePath: string, fn: (state: FakeState) => T): T;
export declare function initialState(root: string, array?: unknown, faults?: unknown): FakeState;
export declare function createFakeRoot(root: string): void;
