// Tests run as native ES modules (yargs, chalk and execa ship only ESM); babel only strips the
// TypeScript types. Type checking is a separate step (`make typecheck`).
module.exports = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      'babel-jest',
      { presets: [['@babel/preset-typescript', { allowDeclareFields: true }]], babelrc: false, configFile: false },
    ],
  },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 30000,
};
