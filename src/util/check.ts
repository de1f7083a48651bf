// One finding of a pre-flight / health check. Shared vocabulary of the array checks (storage/) and
// the host checks (host/), so neither side imports the other.
export type CheckStatus = 'ok' | 'warn' | 'fail';
export type CheckCategory = 'connectivity' | 'configuration' | 'capacity' | 'host' | 'other';

export interface Check {
  id: string;
  status: CheckStatus;
  category: CheckCategory;
  message: string;
  fix?: string;
}
