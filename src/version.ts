// Replaced at build time (scripts/build.mjs defines __JDSSC_VERSION__ from package.json).
declare const __JDSSC_VERSION__: string | undefined;

export const VERSION: string = typeof __JDSSC_VERSION__ === 'string' ? __JDSSC_VERSION__ : '0.0.0-dev';
