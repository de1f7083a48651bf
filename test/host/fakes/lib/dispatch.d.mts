export interface FakeResult {
  code: number;
  stdout: string;
  stderr: string;
  delayMs: number;
  ignoreTerm: boolean;
}
export declare function runFake(statePath: string, tool: string, argv: string[], now?: number, meta?: Record<string, unknown>): FakeResult;
export declare function tickFake(statePath: string, now?: number): void;
