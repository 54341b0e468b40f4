/**
 * Fixed-window rate limits kept in memory.
 *
 * Why not a table: every counted request would be a write, and on the default embedded database
 * (PGlite, one connection) those writes queue behind the engine's transactions — a login flood
 * would slow process execution down, which is what a limiter is meant to prevent. The platform
 * serves HTTP from one process, so one process's memory sees every request. Behind several
 * instances each counts on its own and the effective limit is N× the configured one; that is still
 * a brute-force brake (each guess also costs a ~80 ms scrypt), and a shared limiter belongs in the
 * reverse proxy there (README, "Configuration").
 *
 * Memory is bounded: expired windows are swept when the map grows, and past {@link MAX_KEYS} the
 * oldest windows are dropped (keys like usernames are attacker-chosen).
 */
import type { RateLimit } from '../config';

const SWEEP_AT = 10_000;
const MAX_KEYS = 100_000;

export interface RateDecision {
  allowed: boolean;
  /** Requests left in the current window after this one. */
  remaining: number;
  /** Seconds until the window resets (for `Retry-After`). */
  retryAfterSeconds: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  /** Sweep when the map reaches this size; doubled after a sweep that freed little (amortised O(1) per hit). */
  private sweepAt = SWEEP_AT;

  constructor(
    readonly name: string,
    readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request for `key` and says whether it is within the limit. */
  hit(key: string): RateDecision {
    const decision = this.peek(key);
    const now = this.now();
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      this.sweepIfLarge(now);
      this.windows.set(key, { count: 1, resetAt: now + this.limit.windowMs });
    } else w.count++;
    return { ...decision, remaining: Math.max(0, decision.remaining - 1) };
  }

  /** Whether a request for `key` would be allowed, without counting it. */
  peek(key: string): RateDecision {
    const now = this.now();
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now) return { allowed: true, remaining: this.limit.limit, retryAfterSeconds: 0 };
    const retryAfterSeconds = Math.max(1, Math.ceil((w.resetAt - now) / 1000));
    return {
      allowed: w.count < this.limit.limit,
      remaining: Math.max(0, this.limit.limit - w.count),
      retryAfterSeconds,
    };
  }

  /** Forgets `key` (a successful login clears its failures). */
  reset(key: string): void {
    this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }

  private sweepIfLarge(now: number): void {
    if (this.windows.size >= this.sweepAt) {
      for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
      this.sweepAt = Math.max(SWEEP_AT, this.windows.size * 2);
    }
    // Map iterates in insertion order, so the first key is the oldest window.
    while (this.windows.size >= MAX_KEYS) this.windows.delete(this.windows.keys().next().value!);
  }
}

/** The platform's limiters (configured by RATE_LIMIT_* variables). */
export interface RateLimiters {
  /** Every login attempt, per client IP. */
  loginPerIp: RateLimiter;
  /** Failed login attempts, per username (cleared by a successful login). */
  loginPerUser: RateLimiter;
  /** Anonymous public intake (reports, Open311 requests without a key), per client IP. */
  publicIntakePerIp: RateLimiter;
}

export function createRateLimiters(limits: {
  loginPerIp: RateLimit;
  loginPerUser: RateLimit;
  publicIntakePerIp: RateLimit;
}): RateLimiters {
  return {
    loginPerIp: new RateLimiter('login per IP', limits.loginPerIp),
    loginPerUser: new RateLimiter('failed logins per username', limits.loginPerUser),
    publicIntakePerIp: new RateLimiter('public intake per IP', limits.publicIntakePerIp),
  };
}
