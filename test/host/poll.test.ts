import { expect, test } from '@jest/globals';
import { escalator, pollUntil } from '../../src/host/core/poll';
import { Deadline } from '../../src/util/deadline';
import { FakeClock } from '../helpers/fakeClock';

function env(deadlineMs: number) {
  const clock = new FakeClock();
  return { clock, deadline: new Deadline(clock, deadlineMs), tuning: { pollStartMs: 100, pollMaxMs: 1_000 } };
}

test('polls on the condition with a growing interval and no fixed sleep', async () => {
  const e = env(60_000);
  let n = 0;
  const r = await pollUntil(e, { budgetMs: 10_000, check: () => (++n === 7 ? 'ready' : undefined) });
  expect(r).toEqual({ ok: true, value: 'ready', elapsedMs: 3_500 });
  expect(e.clock.sleeps).toEqual([100, 200, 400, 800, 1_000, 1_000]);
});

test('gives up at its budget, checking one last time at the deadline', async () => {
  const e = env(60_000);
  const seen: number[] = [];
  const r = await pollUntil(e, { budgetMs: 3_000, check: () => void seen.push(e.clock.now() - 1_700_000_000_000) });
  expect(r).toMatchObject({ ok: false, elapsedMs: 3_000 });
  expect(seen[seen.length - 1]).toBe(3_000);
});

test('the invocation deadline caps the budget', async () => {
  const e = env(700);
  const r = await pollUntil(e, { budgetMs: 10_000, check: () => undefined });
  expect(r).toMatchObject({ ok: false, elapsedMs: 700 });
});

test('escalations run between checks, on their schedule', async () => {
  const e = env(60_000);
  const due = escalator([1_000, 3_000], 5_000);
  const levels: Array<[number, number]> = [];
  await pollUntil(e, {
    budgetMs: 14_000,
    check: () => undefined,
    onMiss: (_m, elapsed) => {
      const l = due(elapsed);
      if (l) levels.push([l, elapsed]);
    },
  });
  expect(levels).toEqual([
    [1, 1_500],
    [2, 3_500],
    [3, 8_500],
    [4, 13_500],
  ]);
});
