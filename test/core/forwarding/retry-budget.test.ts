/** @module The rate-based retry budget's arithmetic: deposits, withdrawals, the reserve and the sliding window of one-second buckets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryBudget } from '../../../packages/core/src/forwarding/retry-budget.js';

function withdrawAll(budget: RetryBudget, now: number, max = 10_000): number {
  let n = 0;
  while (n < max && budget.allows(now)) {
    budget.withdraw(now);
    n++;
  }
  return n;
}

test('allowed retries = percent of the deposits + minPerSecond x window', () => {
  const budget = new RetryBudget({ percent: 20, windowMs: 10_000, minPerSecond: 10 });
  for (let i = 0; i < 500; i++) budget.deposit(i);
  assert.deepEqual(budget.counts(500), { requests: 500, retries: 0, allowed: 200 });
  assert.equal(withdrawAll(budget, 600), 200);
  assert.equal(budget.allows(700), false);
});

test('with no reserve and no traffic nothing is allowed; percent 100 allows one retry per request', () => {
  const none = new RetryBudget({ percent: 20, windowMs: 1000, minPerSecond: 0 });
  assert.equal(none.allows(0), false);
  const all = new RetryBudget({ percent: 100, windowMs: 1000, minPerSecond: 0 });
  for (let i = 0; i < 7; i++) all.deposit(0);
  assert.equal(withdrawAll(all, 0), 7);
});

test('deposits and withdrawals leave the window bucket by bucket', () => {
  const budget = new RetryBudget({ percent: 50, windowMs: 3000, minPerSecond: 0 });
  for (let i = 0; i < 10; i++) budget.deposit(100); // bucket [0 s, 1 s)
  for (let i = 0; i < 10; i++) budget.deposit(1500); // bucket [1 s, 2 s)
  assert.equal(withdrawAll(budget, 2500), 10);
  // At 3.2 s the first bucket is gone: 10 deposits, and the 10 withdrawals made at 2.5 s stay.
  assert.deepEqual(budget.counts(3200), { requests: 10, retries: 10, allowed: 5 });
  assert.equal(budget.allows(3200), false);
  // At 5.6 s every bucket up to 5 s has left the window.
  assert.deepEqual(budget.counts(5600), { requests: 0, retries: 0, allowed: 0 });
});

test('a long pause clears the whole ring, and a window that is not whole seconds still slides', () => {
  const budget = new RetryBudget({ percent: 20, windowMs: 1500, minPerSecond: 2 });
  // Two buckets of 750 ms; the reserve is 2/s x 1.5 s = 3.
  for (let i = 0; i < 10; i++) budget.deposit(0);
  assert.equal(budget.counts(0).allowed, 5);
  assert.equal(withdrawAll(budget, 800), 5);
  assert.deepEqual(budget.counts(1_000_000), { requests: 0, retries: 0, allowed: 3 });
});
