// The invocation deadline and the part of it kept back for an undo.
import { expect, test } from '@jest/globals';
import { Deadline } from '../../src/util/deadline';
import { FakeClock } from '../helpers/fakeClock';

test('a reserving deadline ends its reserve before the parent and follows it', async () => {
  const clock = new FakeClock();
  const whole = new Deadline(clock, 100_000);
  const work = whole.reserving(25_000);
  expect(work.remaining()).toBe(75_000);
  expect(work.budgetMs).toBe(75_000);
  await clock.sleep(75_000);
  expect(work.expired()).toBe(true);
  expect(whole.remaining()).toBe(25_000); // the undo's time is still there
});

test('a stop signal reaches the parent through the work deadline, and the parent through it', () => {
  const clock = new FakeClock();
  const whole = new Deadline(clock, 100_000);
  const work = whole.reserving(10_000);
  work.abort('SIGTERM', 5_000);
  expect(whole.stoppedBy).toBe('SIGTERM');
  expect(whole.remaining()).toBe(5_000);
  expect(work.remaining()).toBe(0);
  const other = new Deadline(clock, 100_000);
  const inner = other.reserving(1_000);
  other.abort('SIGINT', 3_000);
  expect(inner.remaining()).toBe(2_000);
});
