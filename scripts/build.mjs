// Production build: one CommonJS bundle (Node >= 18) that bin/jdssc loads with a V8 code cache.
// yargs and chalk ship only as ES modules; esbuild turns them into CommonJS, and the banner gives
// them the import.meta.url they expect.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/cli/entry.ts'],
  outfile: 'dist/jdssc.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: false,
  legalComments: 'none',
  logLevel: 'warning',
  define: {
    __JDSSC_VERSION__: JSON.stringify(pkg.version),
    'import.meta.url': '__jdssc_import_meta_url',
  },
  banner: { js: "const __jdssc_import_meta_url=require('url').pathToFileURL(__filename).href;" },
});
