// `jdssc support-bundle`: one tar.gz for a support case: versions, config and storage.cfg sections (secrets blanked), pool check, sessions, node records, multipath, LUN records, log tail
import * as nodeFs from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { defineCommand } from '../../cmdutil/command';
import { UsageError } from '../../errors';
import { VERSION } from '../../version';
import { gather } from './gather';
import { scrubber } from './scrub';

interface Args {
  output?: string;
  'log-lines': string;
  'skip-array'?: boolean;
}

interface Result {
  output: string;
  files: string[];
  skipped: Array<{ part: string; reason: string }>;
}

export default defineCommand<Args, Result>({
  command: 'support-bundle',
  describe:
    'Write one tar.gz for a support case: versions, config, storage.cfg (secrets blanked), pool check, sessions, node records, multipath, LUN records, log tail',
  examples: [
    ['$0 -c /etc/pve/jdss-Pool-0.yaml support-bundle', 'jdssc-support-<node>-<time>.tar.gz in the current directory'],
    ['$0 support-bundle --output /root/case-1234.tar.gz --log-lines 2000', 'a chosen file, a longer log tail'],
  ],
  builder: (y) =>
    y
      .option('output', { type: 'string', describe: 'the tar.gz to write (default: ./jdssc-support-<node>-<time>.tar.gz)' })
      .option('log-lines', { type: 'string', default: '1000', describe: "last lines of jdssc's log file to include" })
      .option('skip-array', { type: 'boolean', describe: 'do not contact the array (no pool check)' }),
  run: async (a, f) => {
    if (!/^\d{1,7}$/.test(String(a['log-lines'])))
      throw new UsageError(`--log-lines: expected a whole number, got ${JSON.stringify(a['log-lines'])}`);
    const fs = f.overrides.fs ?? nodeFs;
    const node = hostname();
    const stamp = new Date(f.clock.now())
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const top = `jdssc-support-${node}-${stamp}`;
    if (a.output !== undefined && a.output.trim() === '') throw new UsageError('--output: give a file name');
    const output = resolve(a.output ?? `${top}.tar.gz`);
    if (!fs.existsSync(dirname(output))) throw new UsageError(`--output ${a.output}: folder ${dirname(output)} does not exist`);

    // Every known secret registered before anything is read, so the scrubber catches them all.
    await f.secrets().catch(() => undefined);
    const scrub = scrubber(f.redactor);
    const got = await gather(f, { logLines: Number(a['log-lines']), skipArray: a['skip-array'] === true });
    const skipped = got.skipped.map((s) => ({ part: s.part, reason: scrub(s.reason) }));
    const files = [...got.parts.map((p) => p.path), 'manifest.json'];
    const manifest = {
      tool: 'jdssc support-bundle',
      jdssc: VERSION,
      created: new Date(f.clock.now()).toISOString(),
      node,
      files: got.parts.map((p) => ({ path: p.path, bytes: Buffer.byteLength(scrub(p.text)) })),
      skipped,
      note: 'secret values are replaced by *** in every file',
    };

    const stage = fs.mkdtempSync(join(tmpdir(), 'jdssc-bundle-'));
    const tmpOut = join(dirname(output), `.${basename(output)}.${process.pid}.tmp`);
    try {
      for (const p of [...got.parts, { path: 'manifest.json', text: `${JSON.stringify(manifest, null, 2)}\n` }]) {
        const file = join(stage, top, p.path);
        fs.mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        fs.writeFileSync(file, scrub(p.text), { mode: 0o600 });
      }
      // tar loads only here (tens of ms); no other command pays for it.
      const tar = await import('tar');
      fs.writeFileSync(tmpOut, '', { mode: 0o600 }); // created private before tar writes into it
      await tar.create({ gzip: true, file: tmpOut, cwd: stage, portable: true }, [top]);
      fs.renameSync(tmpOut, output);
    } catch (e) {
      fs.rmSync(tmpOut, { force: true });
      if (e instanceof UsageError) throw e;
      throw new UsageError(`--output ${output}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    } finally {
      fs.rmSync(stage, { recursive: true, force: true });
    }
    return { output, files, skipped };
  },
  human: (r, p) => {
    p.line(`wrote ${r.output} (${r.files.length} files)`);
    for (const s of r.skipped) p.line(`  skipped ${s.part}: ${s.reason}`);
  },
});
