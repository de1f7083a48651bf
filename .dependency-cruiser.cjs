// The layer rules of src/ (docs/ARCHITECTURE.md explains them). `make lint` runs this; a new
// import that breaks a rule fails the build with the rule's name and the offending path.
//
//   cli → commands → cmdutil → flows → storage | host → jovian → base (config, log, util, errors, version)
//   simulator: standalone; only `jdssc simulator start` reaches it, through simulator/main.
const LAYERS = [
  ['cli', '^src/cli/'],
  ['commands', '^src/commands/'],
  ['cmdutil', '^src/cmdutil/'],
  ['flows', '^src/flows/'],
  ['domain', '^src/(storage|host)/'],
  ['jovian', '^src/jovian/'],
  ['base', '^src/(config|log|util)/|^src/(errors|version)\\.ts$'],
];

/** A layer may import only layers below it: one rule per layer naming everything above. */
const noUpward = LAYERS.slice(1).map(([name, path], i) => ({
  name: `no-upward-from-${name}`,
  comment: `${name} may import only layers below it (${
    LAYERS.slice(i + 2)
      .map(([n]) => n)
      .join(', ') || 'none'
  })`,
  severity: 'error',
  from: { path },
  to: {
    path: LAYERS.slice(0, i + 1)
      .map(([, p]) => `(${p})`)
      .join('|'),
  },
}));

/** Folders with a public entry point: from outside, only that file may be imported. */
const ENTRY_POINTS = [
  ['src/host', 'index'],
  ['src/storage', 'index'],
  ['src/jovian', 'index|http'], // http: the axios transport, loaded lazily by the factory
  ['src/config', 'index'],
  ['src/flows/login', 'index'],
  ['src/flows/cleanup', 'index'],
  ['src/flows/nfs', 'index'],
  ['src/simulator', 'index|main'], // main: the separate bundle `jdssc simulator start` loads
];
const entryPoints = ENTRY_POINTS.map(([dir, entries]) => ({
  name: `entry-point-${dir.replace(/^src\//, '').replace('/', '-')}`,
  comment: `outside ${dir}/, import ${dir}/{${entries.replace('|', ',')}}.ts only (its public API)`,
  severity: 'error',
  from: { path: '^src/', pathNot: `^${dir}/` },
  to: { path: `^${dir}/`, pathNot: `^${dir}/(${entries})\\.ts$` },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'no import cycles, type-only ones included', severity: 'error', from: {}, to: { circular: true } },
    ...noUpward,
    {
      name: 'no-cross-noun',
      comment: 'a command noun never imports another noun: shared command helpers live in src/cmdutil/',
      severity: 'error',
      from: { path: '^src/commands/([^/]+)/' },
      to: { path: '^src/commands/([^/]+)/', pathNot: '^src/commands/$1/' },
    },
    {
      name: 'storage-and-host-apart',
      comment: 'storage (the array) and host (this machine) never import each other: flows/ joins them',
      severity: 'error',
      from: { path: '^src/(storage|host)/' },
      to: { path: '^src/(storage|host)/', pathNot: '^src/$1/' },
    },
    {
      name: 'host-without-rest',
      comment: 'host code never talks to the array',
      severity: 'error',
      from: { path: '^src/host/' },
      to: { path: '^src/jovian/' },
    },
    {
      name: 'simulator-standalone',
      comment: 'the simulator imports nothing of jdssc: it stands in for the appliance',
      severity: 'error',
      from: { path: '^src/simulator/' },
      to: { path: '^src/', pathNot: '^src/simulator/' },
    },
    {
      name: 'simulator-only-from-its-command',
      comment: 'only `jdssc simulator start` (src/commands/simulator/) reaches the simulator',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(simulator|commands/simulator)/' },
      to: { path: '^src/simulator/' },
    },
    {
      name: 'host-tools-below-lifecycle',
      comment: 'the thin tool wrappers (core, iscsi, multipath, devices, state) never import the lifecycle flows built on them',
      severity: 'error',
      from: { path: '^src/host/(core|iscsi|multipath|devices|state)/' },
      to: { path: '^src/host/(lifecycle|index)' },
    },
    {
      name: 'no-test-code-in-src',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-unresolvable',
      comment: 'every import resolves (a dependency missing from package.json, a mistyped path)',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    ...entryPoints,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true, // type-only imports count: a type cycle is still a cycle for a reader
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
