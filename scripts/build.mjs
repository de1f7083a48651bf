// Production build: CommonJS bundles (Node >= 18) that bin/jdssc loads with a V8 code cache.
//   dist/jdssc.cjs      the CLI
//   dist/simulator.cjs  the JovianDSS simulator, loaded only by `jdssc simulator start`
//   dist/vendor-*.cjs   libraries only some commands need (host tools, metrics, support-bundle,
//                       the spinner, colour)
// yargs and chalk ship only as ES modules; esbuild turns them into CommonJS, and the banner gives
// them the import.meta.url they expect.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const shim = (name) => new URL(`./shims/${name}.cjs`, import.meta.url).pathname;

/** Points every `import 'string-width'` at scripts/shims/string-width.cjs (see its comment). */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, (args) =>
      args.importer === shim('string-width') ? undefined : { path: shim('string-width') },
    );
  },
};

/** Modules the CLI imports but never needs at start-up; each shim's comment says why. */
const trimmed = {
  name: 'trimmed-modules',
  setup(b) {
    b.onResolve({ filter: /^form-data$/ }, () => ({ path: shim('form-data') }));
    b.onResolve({ filter: /^(node:)?http2$/ }, () => ({ path: shim('http2') }));
    b.onResolve({ filter: /^(node:)?assert$/ }, () => ({ path: shim('assert') }));
    b.onResolve({ filter: /^follow-redirects$/ }, () => ({ path: shim('follow-redirects') }));
    b.onResolve({ filter: /^https-proxy-agent$/ }, () => ({ path: shim('https-proxy-agent') }));
  },
};

/** Points every `import 'wrap-ansi'` at scripts/shims/wrap-ansi.cjs (see its comment). */
const lazyWrapAnsi = {
  name: 'lazy-wrap-ansi',
  setup(b) {
    b.onResolve({ filter: /^wrap-ansi$/ }, (args) => (args.importer === shim('wrap-ansi') ? undefined : { path: shim('wrap-ansi') }));
  },
};

/** `chalk` is scripts/shims/chalk.cjs (see its comment); the shim loads the real one apart. */
const lazyChalk = {
  name: 'lazy-chalk',
  setup(b) {
    b.onResolve({ filter: /^chalk$/ }, (args) =>
      args.importer === shim('chalk') ? { path: './vendor-chalk.cjs', external: true } : { path: shim('chalk') },
    );
  },
};

/** The CLI reaches the simulator through a separate bundle, so ordinary commands never parse it. */
const simulatorApart = {
  name: 'simulator-apart',
  setup(b) {
    b.onResolve({ filter: /\/simulator\/main$/ }, () => ({ path: './simulator.cjs', external: true }));
  },
};

/**
 * Libraries that only host commands (execa), `metrics`, `support-bundle`, colour on a terminal
 * (chalk) or the TTY spinner use, each in a bundle of its
 * own: every command parses jdssc.cjs at start-up, so a library that lives there costs every
 * disk operation Proxmox runs, even when it is never called.
 */
const VENDORED = {
  // host commands run iscsiadm and friends through execa; `pool stats`, `volume list` never do
  execa: "export * from 'execa';",
  chalk: "export * from 'chalk'; export { default } from 'chalk';",
  'prom-client': "export * from 'prom-client';",
  tar: "export * from 'tar';",
  'yocto-spinner': "export { default } from 'yocto-spinner';",
};
const vendorApart = {
  name: 'vendor-apart',
  setup(b) {
    const filter = new RegExp(`^(${Object.keys(VENDORED).join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: `./vendor-${args.path}.cjs`, external: true }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: {
    __JDSSC_VERSION__: JSON.stringify(pkg.version),
    'import.meta.url': '__jdssc_import_meta_url',
  },
  banner: { js: "const __jdssc_import_meta_url=require('url').pathToFileURL(__filename).href;" },
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['src/cli/entry.ts'],
    outfile: 'dist/jdssc.cjs',
    // Pre-wrapped: bin/jdssc compiles the file as it is read (the script's value is the module
    // function), so the source is held once instead of once read and once wrapped by Module.wrap
    // (0.6 MB less peak RSS, bench/README.md). `require('dist/jdssc.cjs')` still runs it.
    banner: {
      js: `(function(f){return typeof module==='object'&&module!==null?f(exports,require,module,__filename,__dirname):f})(function(exports,require,module,__filename,__dirname){${common.banner.js}`,
    },
    footer: { js: '\n})' },
    plugins: [lazyStringWidth, lazyWrapAnsi, lazyChalk, trimmed, simulatorApart, vendorApart],
    // import() of the simulator becomes require(): the launcher compiles the bundle with vm.Script,
    // which has no ES module loader behind it.
    supported: { 'dynamic-import': false },
  }),
  build({ ...common, entryPoints: ['src/simulator/main.ts'], outfile: 'dist/simulator.cjs' }),
  ...Object.entries(VENDORED).map(([name, contents]) =>
    build({ ...common, stdin: { contents, resolveDir: process.cwd() }, outfile: `dist/vendor-${name}.cjs` }),
  ),
]);
