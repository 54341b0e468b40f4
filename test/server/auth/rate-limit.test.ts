import { RateLimiter } from '../../../server/auth/rate-limit';

describe('RateLimiter', () => {
  it('allows `limit` hits per window and key, then refuses with the time to wait', () => {
    // given 3 per 10 s on a controlled clock
    let now = 1_000_000;
    const limiter = new RateLimiter('test', { limit: 3, windowMs: 10_000 }, () => now);

    // when one key hits 4 times
    const decisions = [1, 2, 3, 4].map(() => limiter.hit('1.2.3.4'));

    // then the 4th is refused, another key is not affected
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions[3].retryAfterSeconds).toBe(10);
    expect(limiter.hit('5.6.7.8').allowed).toBe(true);

    // and after the window the key may again
    now += 10_000;
    expect(limiter.hit('1.2.3.4').allowed).toBe(true);
  });

  it('peeks without counting, and forgets a key on reset', () => {
    const limiter = new RateLimiter('test', { limit: 1, windowMs: 60_000 });
    expect(limiter.peek('u').allowed).toBe(true);
    limiter.hit('u');
    expect(limiter.peek('u').allowed).toBe(false);
    limiter.reset('u');
    expect(limiter.peek('u').allowed).toBe(true);
  });

  it('stays bounded when flooded with distinct keys', () => {
    const limiter = new RateLimiter('test', { limit: 5, windowMs: 3_600_000 });
    for (let i = 0; i < 150_000; i++) limiter.hit(`user-${i}`);
    expect(limiter.size).toBeLessThanOrEqual(100_000);
  });
});
