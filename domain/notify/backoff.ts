export interface BackoffOptions {
  /** Delay after the first failed attempt (default 2 s). */
  baseMs?: number;
  /** Ceiling of the exponential growth (default 10 min): an outage never parks a message longer. */
  maxMs?: number;
}

/**
 * Exponential back-off with "equal jitter": half the exponential delay is fixed, half random, so
 * retries after an outage spread out instead of hammering the provider in lock-step, and never come
 * sooner than half the nominal delay. `attempts` counts attempts made so far (≥ 1).
 */
export function backoffDelayMs(
  attempts: number,
  random: () => number = Math.random,
  options: BackoffOptions = {},
): number {
  const base = options.baseMs ?? 2000;
  const max = options.maxMs ?? 10 * 60_000;
  const exp = Math.min(max, base * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  return Math.round(exp / 2 + (exp / 2) * random());
}
