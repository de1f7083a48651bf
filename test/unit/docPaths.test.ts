// Keeps docs/ARCHITECTURE.md and CONTRIBUTING.md true to the tree: every repository path they
// name in `backticks` or in a link exists. A moved or renamed file fails here, naming the path.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';

const DOCS = ['docs/ARCHITECTURE.md', 'CONTRIBUTING.md'];

/** File names that are paths although they have neither a slash nor an extension. */
const BARE_FILES = new Set(['Makefile', 'LICENSE']);
const EXTENSIONS = /\.(ts|mts|mjs|cjs|js|json|md|sh|pm|t|yaml|yml|cfg|conf|rules)$/;

/**
 * The repository paths a Markdown text names: each whitespace-separated word of an inline code
 * span, and each link target, that contains a slash, ends in a known extension or is a known
 * bare file. Not paths: absolute paths (system files such as /dev/…), URLs, placeholders
 * (`src/commands/<noun>/<verb>.ts`), calls (`runTool()`), flags and shell syntax. Build output
 * (dist/) does not exist in a fresh clone and is not checked. Fenced code blocks are skipped.
 */
function pathsIn(markdown: string): string[] {
  const text = markdown.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, '');
  const words: string[] = [];
  for (const m of text.matchAll(/`([^`\n]+)`/g)) words.push(...m[1].split(/\s+/));
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) words.push(m[1].replace(/#.*$/, ''));
  const paths = words.filter((w) => {
    if (w === '' || /^[a-z]+:\/\//i.test(w) || w.startsWith('/') || w.startsWith('-')) return false;
    if (/[<>*$(){}'":,;=|\\[\]]/.test(w)) return false;
    if (w.startsWith('dist/') || w === 'dist') return false;
    return w.includes('/') || EXTENSIONS.test(w) || BARE_FILES.has(w);
  });
  return [...new Set(paths)];
}

describe('pathsIn', () => {
  test('finds paths in code spans, commands and links; skips placeholders, calls and system paths', () => {
    const md = [
      'See `src/host/core/exec.ts`, `test/e2e/`, `Makefile` and [the guide](CONTRIBUTING.md#set-up).',
      'Run `prove -r test/plugin`; not `src/commands/<noun>/<verb>.ts`, `runTool()`, `/dev/mapper/<wwid>`,',
      '`dist/jdssc.cjs`, `--json`, `v_vm-100-disk-0` or [a site](https://example.org/x.md).',
      '```',
      'src/in/a/fence.ts',
      '```',
    ].join('\n');
    expect(pathsIn(md)).toEqual(['src/host/core/exec.ts', 'test/e2e/', 'Makefile', 'test/plugin', 'CONTRIBUTING.md']);
  });
});

describe.each(DOCS)('%s', (doc) => {
  test('names only paths that exist in the repository', () => {
    const paths = pathsIn(readFileSync(doc, 'utf8'));
    expect(paths.length).toBeGreaterThan(10);
    const missing = paths.filter((p) => !existsSync(p));
    expect({ doc, missing }).toEqual({ doc, missing: [] });
  });
});
