/**
 * Personal data over time (docs/security.md "Personal data (PIPL)"): the retention purge erases each
 * kind past its rule once a Shanghai day, one process at a time, and reports counts admins read; a
 * reporter who proves their phone with an SMS code downloads their data and has it erased from their
 * finished cases, which stay for the statistics. Time comes from an injected clock.
 */
import { RetentionJob, runRetentionPurge, DEFAULT_RETENTION } from '../../domain/privacy/retention';
import { startTestApp, type TestApp, type TestClient } from './helpers/app';

const T0 = Date.parse('2026-12-03T10:00:00+08:00');
const DAY = 86_400_000;
const PHONE = '13700002222';

describe('retention and the reporter’s own data', () => {
  let t: TestApp;
  let admin: TestClient;
  let clock = T0;
  const now = () => new Date(clock);
  beforeAll(async () => {
    t = await startTestApp({ context: { now } });
    admin = await t.loginAs('admin');
  });
  afterAll(() => t.close());

  const report = async (description: string, phone = PHONE) => {
    const res = await t.client().post('/api/cases', { description, reporter: { name: '赵六', phone } });
    expect(res.status).toBe(202);
    return res.body as { id: string; caseNo: string };
  };
  const close = (id: string, closedAt: number) =>
    t.testDb
      .db('case')
      .where({ id })
      .update({ status: 'closed', closed_at: new Date(closedAt) });

  it('purges what is past its rule, keeps the rest, reports the counts to admins, and runs once a day', async () => {
    // given a case closed 3 years ago, one closed last week, an old finished SMS, an old camera event, an old session
    const old = await report('三年前的问题');
    const recent = await report('上周的问题');
    await close(old.id, T0 - 3 * 365 * DAY);
    await close(recent.id, T0 - 7 * DAY);
    await t.testDb.db('notification').insert({
      idempotency_key: 'old-sms',
      channel: 'sms',
      to_phone: '13700009999',
      template: 'case.accepted',
      params: '{}',
      text: '【江北区矛调中心】旧短信 13700009999',
      status: 'sent',
      local_day: '2026-01-01',
      queued_at: new Date(T0 - 300 * DAY),
      created_at: new Date(T0 - 300 * DAY),
      updated_at: new Date(T0 - 300 * DAY),
    });
    const [cam] = await t.testDb
      .db('device_event')
      .insert({
        device_id: 'cam-1',
        type: 'fire-lane.occupied',
        lane_id: 'lane-1',
        plate: '浙B12345',
        detected_at: new Date(T0 - 200 * DAY),
        received_at: new Date(T0 - 200 * DAY),
        image_url: 'https://cam.example/1.jpg',
      })
      .returning('id');

    // when the daily job ticks
    const job = new RetentionJob({ db: t.testDb.db, rules: DEFAULT_RETENTION, now, log: { info() {}, warn() {} } });
    const report1 = await job.tick();

    // then the old case lost its reporter but stays; the recent one keeps it
    expect(report1).not.toBeNull();
    const oldRow = await t.testDb.db('case').where({ id: old.id }).first();
    expect(oldRow).toMatchObject({ reporter_name: null, reporter_phone: null, reporter_phone_hash: null });
    expect(oldRow.description).toBe('三年前的问题');
    expect(oldRow.personal_data_erased_at).not.toBeNull();
    expect((await t.testDb.db('case').where({ id: recent.id }).first()).reporter_phone).toMatch(/^pii1:/);
    // and the old SMS lost its number and text, the camera event is gone
    const sms = await t.testDb.db('notification').where({ idempotency_key: 'old-sms' }).first();
    expect(sms).toMatchObject({ to_phone: '', text: '', status: 'sent' });
    expect(await t.testDb.db('device_event').where({ id: cam.id })).toHaveLength(0);
    expect(report1!.counts).toMatchObject({ reporterContact: 1, sms: 1, camera: 1 });

    // when it ticks again the same Shanghai day, then it does not run; the next day it does
    clock = T0 + 3600_000;
    expect(await job.tick()).toBeNull();
    clock = T0 + DAY;
    expect((await job.tick())!.counts).toMatchObject({ reporterContact: 0, sms: 0, camera: 0 });

    // and admins read the reports, newest first
    const listed = await admin.get('/api/admin/privacy/purge-reports');
    expect(listed.status).toBe(200);
    expect(listed.body.reports.map((r: any) => r.counts.reporterContact)).toEqual([0, 1]);
    expect(listed.body.reports[0].rules).toEqual(DEFAULT_RETENTION);
    // and a clerk may not
    expect((await (await t.loginAs('clerk.housing')).get('/api/admin/privacy/purge-reports')).status).toBe(403);
  });

  it('one process at a time: a purge while another holds the lock does nothing', async () => {
    // given another transaction holding the purge lock (PostgreSQL server; PGlite has one connection)
    if (t.testDb.kind !== 'postgres') {
      // on PGlite the single connection serialises everything: a second purge simply waits its turn
      expect(await runRetentionPurge(t.testDb.db, DEFAULT_RETENTION, now())).not.toBeNull();
      return;
    }
    await t.testDb.db.transaction(async (trx) => {
      await trx.raw("select pg_advisory_xact_lock(hashtext('privacy:purge'))");
      // when another purge starts, then it skips
      expect(await runRetentionPurge(t.testDb.db, DEFAULT_RETENTION, now())).toBeNull();
    });
  });

  it('a reporter proves the phone by SMS code, downloads their data and erases it from finished cases', async () => {
    // given two cases of one reporter: one closed, one still open; and another reporter's case
    const phone = '13600003333';
    const done = await report('已办结的问题', phone);
    const open = await report('还在办理的问题', phone);
    const other = await report('别人的问题', '13600004444');
    await close(done.id, clock - DAY);
    const anon = t.client();

    // when they ask for a code
    const sent = await anon.post('/api/privacy/reporter/code', { phone });
    expect(sent.status).toBe(202);
    const { verificationId } = sent.body;
    const sms = (await t.testDb
      .db('notification')
      .where({ idempotency_key: `reporter.verify:${verificationId}` })
      .first())!;
    const params = typeof sms.params === 'string' ? JSON.parse(sms.params) : sms.params;
    const code = String(params.code);
    expect(code).toMatch(/^\d{6}$/);

    // then a wrong code is refused and counts as a try
    const wrong = await anon.post('/api/privacy/reporter/export', {
      verificationId,
      phone,
      code: code === '000000' ? '111111' : '000000',
    });
    expect(wrong.status).toBe(422);
    // and the right one downloads their cases only, unmasked, with their SMS
    const exported = await anon.post('/api/privacy/reporter/export', { verificationId, phone, code });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toContain('my-data.json');
    expect(exported.body.cases.map((c: any) => c.caseNo).sort()).toEqual([done.caseNo, open.caseNo].sort());
    expect(exported.body.cases[0].reporter).toEqual({ name: '赵六', phone });
    expect(JSON.stringify(exported.body)).not.toContain(other.caseNo);

    // when they ask for erasure
    const erased = await anon.post('/api/privacy/reporter/erase', { verificationId, phone, code });

    // then the finished case lost the reporter but stays; the open one keeps it (it must be answered)
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({ erased: [done.caseNo], keptOpen: [open.caseNo] });
    const doneRow = await t.testDb.db('case').where({ id: done.id }).first();
    expect(doneRow).toMatchObject({ reporter_name: null, reporter_phone: null, description: '已办结的问题' });
    expect((await t.testDb.db('case').where({ id: open.id }).first()).reporter_phone).toMatch(/^pii1:/);

    // and a code expires after 10 minutes
    clock += 11 * 60_000;
    const late = await anon.post('/api/privacy/reporter/export', { verificationId, phone, code });
    expect(late.status).toBe(422);
    expect(late.body.detail).toMatch(/expired/);
  });
});
