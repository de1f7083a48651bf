// Compile-time checks of the typed CLI test helper (test/helpers/cli.ts): `tsc` fails when a
// test could again read a field a command's result does not have, or when a line below stops
// being an error. Type-checked only (`make typecheck`); jest never runs this file.
import type { CliEnv } from '../helpers/cli';

export async function typedHelperChecks(env: CliEnv): Promise<void> {
  const u = await env.okJson(['target', 'unpublish', 'vm-130-disk-0']);
  u.detached[0].targetDeleted satisfies boolean;
  // @ts-expect-error Unpublished has no top-level targetDeleted (the assertion that could not fail)
  void u.targetDeleted;

  // global flags before the noun, and a spread of flags before it, are skipped
  (await env.okJson(['--pool', 'Pool-1', 'volume', 'get', 'vm-100-disk-0'])).physicalName satisfies string;
  const flags: string[] = ['--multipath', 'false'];
  (await env.okJson([...flags, 'login', 'activate', 'vm-100-disk-0'])).device satisfies string;
  (await env.okJson(['cleanup', '--vmids', '100'])).remaining satisfies number;

  // run(): the result or the error document, nothing else
  const r = await env.run(['snapshot', 'list', 'vm-100-disk-0', '--json']);
  r.json.snapshots satisfies unknown[];
  r.json.error.code satisfies string;
  // @ts-expect-error ListSnapshotsResult has no "names"
  void r.json.names;

  // an argv the types cannot read is unknown until the test names the result type
  const dynamic = await env.okJson(flags);
  // @ts-expect-error unknown has no fields
  void dynamic.name;
  (await env.okJson<{ name: string }>(flags)).name satisfies string;
}
