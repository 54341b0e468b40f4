import { appMigrations } from '../../db/migrations';
import { enqueue, findById, listNotifications, toPublic } from '../../domain/notify/outbox';
import { TemplateError } from '../../domain/notify/templates';
import { createTestDb, type TestDb } from '../helpers/db';
import { ManualClock, migrateNotifications } from './helpers';

const PHONE = '13812345678';
const notice = (key: string, to = PHONE) => ({
  idempotencyKey: key,
  to,
  template: 'fire-lane.notice',
  params: { plate: '浙B10001', lane: '孔浦小区3号楼', minutes: 15 },
  caseId: 'case-1',
});

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await migrateNotifications(t.db);
});
afterAll(() => t.destroy());
beforeEach(() => t.db('notification').del());

describe('the notification migration', () => {
  it('is registered in the application migration list', () => {
    expect(Object.keys(appMigrations)).toContain('20261127020000_notifications');
  });
});

describe('enqueue', () => {
  it('queues a rendered message with queuedAt and the Shanghai day', async () => {
    // given a clock at 2025-03-03 23:30 in Shanghai (15:30 UTC)
    const clock = new ManualClock(Date.parse('2025-03-03T15:30:00Z'));
    // when a fire-lane notice is enqueued
    const { row, created } = await enqueue(t.db, notice('fire-lane:case-1:notice'), { now: clock.now });
    // then one queued row exists, due now
    expect(created).toBe(true);
    expect(row).toMatchObject({
      status: 'queued',
      to_phone: PHONE,
      template: 'fire-lane.notice',
      attempts: 0,
      case_id: 'case-1',
    });
    expect(row.text).toContain('浙B10001');
    expect(new Date(row.queued_at).toISOString()).toBe('2025-03-03T15:30:00.000Z');
    expect(new Date(row.next_attempt_at!).toISOString()).toBe('2025-03-03T15:30:00.000Z');
    const stored = await t.db('notification').select(t.db.raw(`to_char(local_day, 'YYYY-MM-DD') as d`)).first();
    expect(stored.d).toBe('2025-03-03');
  });

  it('returns the existing row for the same idempotency key and never queues twice', async () => {
    // given a notice already queued for a business event
    const first = await enqueue(t.db, notice('evt-1'));
    // when the same event is enqueued again (a re-delivered job), even concurrently
    const again = await Promise.all([enqueue(t.db, notice('evt-1')), enqueue(t.db, notice('evt-1'))]);
    // then the original row comes back and there is still one row
    for (const r of again) {
      expect(r.created).toBe(false);
      expect(r.row.id).toBe(first.row.id);
    }
    expect(Number((await t.db('notification').count({ n: '*' }).first())!.n)).toBe(1);
  });

  it('caps messages per phone per Asia/Shanghai day and records the reason', async () => {
    // given a cap of 3 and a clock at 23:00 Shanghai time
    const clock = new ManualClock(Date.parse('2025-03-03T15:00:00Z'));
    const opts = { dailyCapPerPhone: 3, now: clock.now };
    for (let i = 0; i < 3; i++) expect((await enqueue(t.db, notice(`cap-${i}`), opts)).row.status).toBe('queued');
    // when a fourth message for the same phone comes the same local day
    const fourth = await enqueue(t.db, notice('cap-3'), opts);
    // then it is recorded as capped with a reason, and never due
    expect(fourth.row.status).toBe('capped');
    expect(fourth.row.status_reason).toBe('daily cap of 3 SMS per phone reached for 2025-03-03 (Asia/Shanghai)');
    expect(fourth.row.next_attempt_at).toBeNull();
    // and another phone is not affected
    expect((await enqueue(t.db, notice('cap-other', '13900001111'), opts)).row.status).toBe('queued');
    // when the clock passes Shanghai midnight (16:00 UTC), the count starts again
    clock.advance(60 * 60_000);
    expect((await enqueue(t.db, notice('cap-next-day'), opts)).row.status).toBe('queued');
  });

  it('does not let concurrent enqueues slip past the cap', async () => {
    const opts = { dailyCapPerPhone: 2 };
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => enqueue(t.db, notice(`race-${i}`), opts)));
    expect(results.filter((r) => r.row.status === 'queued')).toHaveLength(2);
    expect(results.filter((r) => r.row.status === 'capped')).toHaveLength(3);
  });

  it('queues nothing for an invalid template or phone', async () => {
    await expect(enqueue(t.db, { ...notice('bad-1'), params: { plate: '浙B1' } })).rejects.toThrow(TemplateError);
    await expect(enqueue(t.db, notice('bad-2', '12345'))).rejects.toThrow(/mainland mobile/);
    expect(Number((await t.db('notification').count({ n: '*' }).first())!.n)).toBe(0);
  });
});

describe('toPublic and listNotifications', () => {
  it('mask the phone in every field that leaves the service', async () => {
    // given a message whose key, params and error text mention the phone
    const { row } = await enqueue(t.db, {
      idempotencyKey: `callback:${PHONE}`,
      to: PHONE,
      template: 'supervision.notice',
      params: { caseNo: 'JB-2025-0001', reason: `回访电话${PHONE}无人接听`, deadline: '3月5日17:30' },
    });
    await t
      .db('notification')
      .where({ id: row.id })
      .update({ last_error: `rejected ${PHONE}` });
    // when it is turned into API objects
    const one = toPublic((await findById(t.db, row.id))!);
    const list = await listNotifications(t.db);
    // then the full number appears nowhere
    for (const obj of [one, ...list]) {
      const json = JSON.stringify(obj);
      expect(json).not.toContain(PHONE);
      expect(json).toContain('138****5678');
    }
    expect(one.to).toBe('138****5678');
    expect(one.lastError).toBe('rejected 138****5678');
  });
});
