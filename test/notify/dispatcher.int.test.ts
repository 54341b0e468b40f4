import { Writable } from 'node:stream';
import pino from 'pino';
import { backoffDelayMs } from '../../domain/notify/backoff';
import { Dispatcher } from '../../domain/notify/dispatcher';
import { Notifier } from '../../domain/notify';
import { enqueue, findByKey, prepareSms, queueInTransaction } from '../../domain/notify/outbox';
import { OutboxProvider } from '../../domain/notify/providers/outbox';
import { WebhookProvider } from '../../domain/notify/providers/webhook';
import { createTestDb, type TestDb } from '../helpers/db';
import { ManualClock, migrateNotifications, startHttpDouble, type HttpDouble } from './helpers';

const PHONE = '13812345678';
const msg = (key: string, to = PHONE) => ({
  idempotencyKey: key,
  to,
  template: 'fire-lane.notice',
  params: { plate: '浙B10001', lane: '庄桥街道某小区', minutes: 15 },
});

/** A webhook double that accepts (200) or rejects with `status`, counting acceptances per key. */
async function gateway(statusFor: (index: number) => number, delayMs = 0) {
  const accepted = new Map<string, number>();
  const double = await startHttpDouble((req, i) => {
    const status = statusFor(i);
    const key = String(req.headers['idempotency-key']);
    if (status === 200) accepted.set(key, (accepted.get(key) ?? 0) + 1);
    return { status, body: status === 200 ? { messageId: `gw-${i}` } : `upstream down, subscriber ${PHONE}`, delayMs };
  });
  return { double, accepted };
}

let t: TestDb;
let double: HttpDouble | undefined;
beforeAll(async () => {
  t = await createTestDb();
  await migrateNotifications(t.db);
});
afterAll(() => t.destroy());
beforeEach(() => t.db('notification').del());
afterEach(async () => {
  await double?.close();
  double = undefined;
});

describe('backoffDelayMs', () => {
  it('grows exponentially with equal jitter and a ceiling', () => {
    expect(backoffDelayMs(1, () => 0)).toBe(1000);
    expect(backoffDelayMs(1, () => 1)).toBe(2000);
    expect(backoffDelayMs(4, () => 0)).toBe(8000);
    expect(backoffDelayMs(50, () => 1)).toBe(600_000);
  });
});

describe('Dispatcher during a provider outage', () => {
  it('delays messages, then delivers every one exactly once, counting attempts', async () => {
    // given a gateway that answers 503 to the first three requests, then 200
    const gw = await gateway((i) => (i < 3 ? 503 : 200));
    double = gw.double;
    const clock = new ManualClock(Date.parse('2025-03-03T02:00:00Z'));
    const dispatcher = new Dispatcher({
      db: t.db,
      provider: new WebhookProvider({ url: gw.double.url }),
      now: clock.now,
      random: () => 0.5,
    });
    for (const k of ['a', 'b', 'c']) await enqueue(t.db, msg(k), { now: clock.now });

    // when the dispatcher runs during the outage
    const first = await dispatcher.runOnce();
    // then nothing is lost: every row is queued again with a later due time and the error
    expect(first).toEqual({ claimed: 3, sent: 0, retried: 3, failed: 0 });
    for (const k of ['a', 'b', 'c']) {
      const row = (await findByKey(t.db, k))!;
      expect(row).toMatchObject({ status: 'queued', attempts: 1 });
      expect(new Date(row.next_attempt_at!).getTime()).toBe(clock.now().getTime() + 1500); // 2 s × (0.5 + 0.5 × 0.5)
      expect(row.last_error).toMatch(/503/);
      expect(row.last_error).not.toContain(PHONE);
    }
    // and nothing is retried before its back-off
    expect((await dispatcher.runOnce()).claimed).toBe(0);

    // when the back-off has passed and the provider is back
    clock.advance(1500);
    const second = await dispatcher.runOnce();
    // then each message is delivered exactly once, on its second attempt
    expect(second).toEqual({ claimed: 3, sent: 3, retried: 0, failed: 0 });
    expect([...gw.accepted.entries()].sort()).toEqual([
      ['a', 1],
      ['b', 1],
      ['c', 1],
    ]);
    for (const k of ['a', 'b', 'c']) {
      const row = (await findByKey(t.db, k))!;
      expect(row).toMatchObject({ status: 'sent', attempts: 2, provider: 'webhook', last_error: null });
      expect(row.provider_message_id).toMatch(/^gw-/);
      expect(new Date(row.sent_at!).toISOString()).toBe(clock.now().toISOString());
    }
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    expect(gw.double.requests).toHaveLength(6);
  });

  it('fails a message after N attempts on a permanent (4xx) error', async () => {
    // given a gateway that rejects the message as invalid
    const gw = await gateway(() => 400);
    double = gw.double;
    const clock = new ManualClock(Date.parse('2025-03-03T02:00:00Z'));
    const dispatcher = new Dispatcher({
      db: t.db,
      provider: new WebhookProvider({ url: gw.double.url }),
      now: clock.now,
      maxPermanentAttempts: 3,
    });
    await enqueue(t.db, msg('perm'), { now: clock.now });
    // when it is attempted three times
    for (let i = 0; i < 3; i++) {
      await dispatcher.runOnce();
      clock.advance(60_000);
    }
    // then it is failed, with the reason, and no longer retried
    const row = (await findByKey(t.db, 'perm'))!;
    expect(row).toMatchObject({
      status: 'failed',
      attempts: 3,
      status_reason: 'permanent provider error after 3 attempts',
    });
    expect(row.last_error).toMatch(/400/);
    clock.advance(3_600_000);
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    expect(gw.double.requests).toHaveLength(3);
  });

  it('reclaims a row whose dispatcher died mid-send once the lease expires', async () => {
    // given one row left in "sending" by a dead dispatcher and one still leased
    const clock = new ManualClock(Date.parse('2025-03-03T02:00:00Z'));
    const { row: dead } = await enqueue(t.db, msg('dead'), { now: clock.now });
    const { row: alive } = await enqueue(t.db, msg('alive'), { now: clock.now });
    await t
      .db('notification')
      .where({ id: dead.id })
      .update({ status: 'sending', attempts: 1, locked_until: new Date(clock.now().getTime() - 1) });
    await t
      .db('notification')
      .where({ id: alive.id })
      .update({ status: 'sending', attempts: 1, locked_until: new Date(clock.now().getTime() + 60_000) });
    // when another dispatcher runs
    const dispatcher = new Dispatcher({ db: t.db, provider: new OutboxProvider(), now: clock.now });
    const round = await dispatcher.runOnce();
    // then only the expired one is sent, as a second attempt
    expect(round).toEqual({ claimed: 1, sent: 1, retried: 0, failed: 0 });
    expect((await findByKey(t.db, 'dead'))!).toMatchObject({ status: 'sent', attempts: 2, provider: 'outbox' });
    expect((await findByKey(t.db, 'alive'))!.status).toBe('sending');
  });
});

describe('Dispatcher wake-up', () => {
  it('hands a message to the provider right after enqueue, without waiting for a poll', async () => {
    // given a notifier whose fallback poll is an hour away
    const gw = await gateway(() => 200);
    double = gw.double;
    const notifier = new Notifier(
      t.db,
      { dailyCapPerPhone: 10, maxPermanentAttempts: 3, pollIntervalMs: 3_600_000 },
      new WebhookProvider({ url: gw.double.url }),
    );
    notifier.start();
    await notifier.dispatcher.idle();
    try {
      // when a notice is enqueued
      const started = performance.now();
      const { row } = await notifier.enqueue(msg('wake'));
      await notifier.dispatcher.idle();
      const elapsedMs = performance.now() - started;
      // then it has already been accepted by the gateway and marked sent
      expect(gw.accepted.get('wake')).toBe(1);
      expect((await findByKey(t.db, 'wake'))!.status).toBe('sent');
      expect(row.status).toBe('queued');
      // (a figure, not a timing assertion: the fallback poll alone would have taken an hour)
      console.info(`enqueue → provider accepted → row marked sent: ${elapsedMs.toFixed(1)} ms (${t.kind})`);
    } finally {
      await notifier.stop();
    }
  });

  it('retries on the fallback timer when the back-off comes due', async () => {
    // given a real clock, a short back-off, and a provider that fails the first call
    const gw = await gateway((i) => (i === 0 ? 503 : 200));
    double = gw.double;
    const dispatcher = new Dispatcher({
      db: t.db,
      provider: new WebhookProvider({ url: gw.double.url }),
      pollIntervalMs: 3_600_000,
      backoff: { baseMs: 40 },
    });
    await enqueue(t.db, msg('timer'));
    // when the dispatcher is started and left alone
    dispatcher.start();
    try {
      const deadline = Date.now() + 5000;
      while ((await findByKey(t.db, 'timer'))!.status !== 'sent' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      // then the timer armed for next_attempt_at delivered it on the second attempt
      expect((await findByKey(t.db, 'timer'))!).toMatchObject({ status: 'sent', attempts: 2 });
      expect(gw.accepted.get('timer')).toBe(1);
    } finally {
      await dispatcher.stop();
    }
  });
});

describe('Dispatcher.sendNow (the fire-lane notice hand-over)', () => {
  it('sends a held row at once, exactly once however many dispatchers race for it', async () => {
    // given a notice queued on hold (no due time: no round claims it)
    const gw = await gateway(() => 200, 3);
    double = gw.double;
    const { row } = await t.db.transaction((trx) => queueInTransaction(trx, prepareSms(msg('held')), { hold: true }));
    expect(row).toMatchObject({ status: 'queued', next_attempt_at: null });
    const dispatchers = [0, 1, 2].map(
      () => new Dispatcher({ db: t.db, provider: new WebhookProvider({ url: gw.double.url }) }),
    );
    expect(await dispatchers[0].runOnce()).toMatchObject({ claimed: 0 });
    // when three dispatchers are told to send it now, at the same time
    const outcomes = await Promise.all(dispatchers.map((d) => d.sendNow(row.id)));
    // then one sent it, the others found it taken, and the gateway saw it once
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(1);
    expect(outcomes.filter((o) => o === undefined)).toHaveLength(2);
    expect(gw.accepted.get('held')).toBe(1);
    expect((await findByKey(t.db, 'held'))!).toMatchObject({ status: 'sent', attempts: 1 });
    // and asking again sends nothing
    expect(await dispatchers[1].sendNow(row.id)).toBeUndefined();
    expect(gw.double.requests).toHaveLength(1);
  });

  it('a started dispatcher hands a new round’s row over while an earlier delivery is still at the provider', async () => {
    // given a gateway that holds the first request until told
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((r) => (releaseFirst = r));
    const double2 = await startHttpDouble((_req, i) => ({
      status: 200,
      body: { messageId: `gw-${i}` },
      until: i === 0 ? firstHeld : undefined,
    }));
    double = double2;
    const notifier = new Notifier(
      t.db,
      { dailyCapPerPhone: 10, maxPermanentAttempts: 3, pollIntervalMs: 3_600_000 },
      new WebhookProvider({ url: double2.url }),
    );
    notifier.start();
    try {
      await notifier.enqueue(msg('slow', '13900000001'));
      while (double2.requests.length < 1) await new Promise((r) => setImmediate(r));
      // when a second message is queued while the first is at the provider
      await notifier.enqueue(msg('fast', '13900000002'));
      while ((await findByKey(t.db, 'fast'))!.status !== 'sent') await new Promise((r) => setImmediate(r));
      // then it was sent without waiting for the first
      expect((await findByKey(t.db, 'slow'))!.status).toBe('sending');
      releaseFirst();
      await notifier.dispatcher.idle();
      expect((await findByKey(t.db, 'slow'))!.status).toBe('sent');
    } finally {
      releaseFirst();
      await notifier.stop();
    }
  });
});

describe('concurrent dispatchers', () => {
  it('never send the same message twice', async () => {
    // given 60 queued messages and a slightly slow gateway
    const gw = await gateway(() => 200, 3);
    double = gw.double;
    const phones = Array.from({ length: 60 }, (_, i) => `139${String(i).padStart(8, '0')}`);
    for (const [i, to] of phones.entries()) await enqueue(t.db, msg(`c-${i}`, to));
    // when three dispatchers drain the outbox at the same time
    const dispatchers = [0, 1, 2].map(
      () => new Dispatcher({ db: t.db, provider: new WebhookProvider({ url: gw.double.url }), batchSize: 7 }),
    );
    const drain = async (d: Dispatcher) => {
      let sent = 0;
      for (;;) {
        const r = await d.runOnce();
        sent += r.sent;
        if (r.claimed === 0) return sent;
      }
    };
    const perDispatcher = await Promise.all(dispatchers.map(drain));
    // then every message went out exactly once
    expect(perDispatcher.reduce((a, b) => a + b, 0)).toBe(60);
    expect(gw.double.requests).toHaveLength(60);
    expect([...gw.accepted.values()].every((n) => n === 1)).toBe(true);
    expect(gw.accepted.size).toBe(60);
    const statuses = await t.db('notification').select('status', 'attempts');
    expect(
      statuses.every((r: { status: string; attempts: number }) => r.status === 'sent' && Number(r.attempts) === 1),
    ).toBe(true);
    if (t.kind === 'postgres') console.info(`messages sent per dispatcher: ${perDispatcher.join(', ')}`);
  });
});

describe('dispatcher logs', () => {
  it('never contain a full phone number', async () => {
    // given a pino logger writing into memory and a gateway that echoes the phone in its error
    const lines: string[] = [];
    const log = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    );
    const gw = await gateway((i) => (i === 0 ? 503 : 200));
    double = gw.double;
    const clock = new ManualClock(Date.parse('2025-03-03T02:00:00Z'));
    const dispatcher = new Dispatcher({
      db: t.db,
      provider: new WebhookProvider({ url: gw.double.url }),
      log,
      now: clock.now,
    });
    await enqueue(t.db, msg(`key-with-${PHONE}`), { now: clock.now });
    // when it fails once and then succeeds
    await dispatcher.runOnce();
    clock.advance(10_000);
    await dispatcher.runOnce();
    // then both log lines exist and show the masked number only
    expect(lines).toHaveLength(2);
    const all = lines.join('\n');
    expect(all).toContain('138****5678');
    expect(all).not.toContain(PHONE);
  });
});
