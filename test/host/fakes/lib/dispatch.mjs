// One call of a fake tool: record the argv, let time pass in the fake kernel, run the tool
// against the shared state. Used by the executable fakes and by the in-process executor.
import { iscsiadm } from './iscsiadm.mjs';
import { tick } from './kernel.mjs';
import { blockdev, udevadm } from './misc.mjs';
import { dmsetup, multipath, multipathd } from './mpath.mjs';
import { withState } from './state.mjs';

const TOOLS = { iscsiadm, multipath, multipathd, dmsetup, udevadm, blockdev };

/** Returns { code, stdout, stderr, delayMs }; delayMs is how long the real tool would have taken. */
export function runFake(statePath, tool, argv, now = Date.now(), meta = {}) {
  return withState(statePath, (state) => {
    state.calls.push({ tool, argv, t: now, ...meta });
    tick(state, now);
    const impl = TOOLS[tool];
    const r = impl ? impl(state, argv, now) : { code: 127, stdout: '', stderr: `${tool}: not faked\n` };
    tick(state, now);
    const hang = state.faults.hang?.[tool] ?? 0;
    return { ...r, delayMs: Math.max(r.delayMs ?? 0, hang), ignoreTerm: Boolean(state.faults.ignoreTerm) };
  });
}

/** Let fake time pass without a tool call (the harness clock calls this while code sleeps). */
export function tickFake(statePath, now = Date.now()) {
  withState(statePath, (state) => tick(state, now));
}
