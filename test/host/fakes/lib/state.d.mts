export declare function loadState(statePath: string): any;
export declare function saveState(statePath: string, state: unknown): void;
export declare function withState<T>(statePath: string, fn: (state: any) => T): T;
export declare function initialState(root: string, array?: unknown, faults?: unknown): any;
export declare function createFakeRoot(root: string): void;
