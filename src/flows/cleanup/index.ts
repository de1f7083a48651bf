// Public API of the cleanup flow: find orphans on this host and the array, and remove them.
export * from './run';
export * from './seen';
export * from './inventory';
