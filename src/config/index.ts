// Public API of the configuration: the settings table, the resolved settings (defaults < YAML <
// flags), value parsers and where secrets come from.
export * from './schema';
export * from './values';
export * from './resolve';
export * from './secrets';
