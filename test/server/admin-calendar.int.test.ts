/**
 * Admins maintain holiday years over HTTP (/api/admin/calendar/…): list, enter, replace, delete,
 * import (body and multipart), the 403 for a clerk, a due date that follows the change at once,
 * /healthz's details.calendar (a warning, still 200), the fallback warning logged once per year,
 * and a second process noticing the change. The calendar's clock is fixed: no wall-clock dates.
 */
import holidayData from '../../processes/calendar/cn-holidays.json';
import { migrateAll } from '../../platform/migrate-all';
import { bootstrapAuth } from '../../server/auth/bootstrap';
import { CalendarService } from '../../domain/sla/calendar-service';
import { computeSlaDueAt, defaultCalendar, setDefaultCalendar } from '../../domain/sla/working-time';
import { createLogger } from '../../platform/logger';
import { createTestDb, type TestDb } from '../helpers/db';
import { startTestAppOn, type TestApp, type TestClient } from './helpers/app';

/** 20 December 2027, Shanghai: 2027 has (provisional) data, 2028 none yet. */
const TODAY = new Date('2027-12-20T10:00:00+08:00');

/** A plausible 2028 (the State Council's notice does not exist yet): 元旦 Sat 1 – Mon 3 Jan. */
const year2028 = (extra: Record<string, unknown> = {}) => ({
  source: { title: '国务院办公厅关于2028年部分节假日安排的通知', url: null },
  holidays: [
    { name: '元旦', from: '2028-01-01', to: '2028-01-03' },
    { name: '春节', from: '2028-01-25', to: '2028-02-01' },
    { name: '国庆节', from: '2028-10-01', to: '2028-10-07' },
  ],
  workdays: [
    { date: '2028-01-23', for: '春节' },
    { date: '2028-02-12', for: '春节' },
  ],
  ...extra,
});

interface Warning {
  obj: any;
  msg: string;
}

let testDb: TestDb;
let t: TestApp;
let admin: TestClient;
let clerk: TestClient;
let calendar: CalendarService;
const warnings: Warning[] = [];

beforeAll(async () => {
  testDb = await createTestDb();
  await migrateAll(testDb.db, { engine: false });
  await bootstrapAuth(testDb.db, { demo: true, log: createLogger('silent'), print: () => {} });
  const log = createLogger('silent');
  calendar = new CalendarService({
    db: testDb.db,
    now: () => TODAY,
    log: { info: () => {}, error: (o, m) => log.error(o, m), warn: (obj, msg) => warnings.push({ obj, msg }) },
  });
  await calendar.load();
  t = await startTestAppOn(testDb, { context: { calendar } });
  admin = await t.loginAs('admin');
  clerk = await t.loginAs('clerk.housing');
});
afterAll(async () => {
  await t?.close();
  await testDb?.destroy();
  setDefaultCalendar(undefined);
});

const preview = async (start: string, hours: number) => {
  const res = await admin.get(`/api/admin/calendar/preview?start=${encodeURIComponent(start)}&workingHours=${hours}`);
  expect(res.status).toBe(200);
  return res.body;
};

describe('GET /api/admin/calendar and /healthz', () => {
  it('lists the shipped years and says 2028 is to be entered soon', async () => {
    const res = await admin.get('/api/admin/calendar');
    expect(res.status).toBe(200);
    expect(res.body.status).toEqual({
      status: 'ok',
      coveredFrom: '2025-01-01',
      coveredTo: '2027-12-31',
      provisionalYears: [2027],
      fallbackYears: [],
      today: '2027-12-20',
      upcomingYear: 2028,
    });
    expect(res.body.years.map((y: any) => [y.year, y.source, y.provisional, y.overridesFile])).toEqual([
      [2025, 'file', false, false],
      [2026, 'file', false, false],
      [2027, 'file', true, false],
    ]);
    expect(res.body.years[0]).toMatchObject({
      holidays: 6,
      workdays: 5,
      updatedBy: null,
      updatedAt: null,
      title: expect.stringContaining('2025'),
    });
    const y = await admin.get('/api/admin/calendar/years/2026');
    expect(y.body.year.data.holidays[0]).toEqual({
      name: '元旦',
      nameEn: "New Year's Day",
      from: '2026-01-01',
      to: '2026-01-03',
    });
  });

  it('reports a fallback in /healthz details once a due date runs into 2028 — and stays 200', async () => {
    // given /healthz while everything is covered
    const before = await t.client().get('/healthz');
    expect(before.body.details).toEqual({
      calendar: {
        status: 'ok',
        coveredFrom: '2025-01-01',
        coveredTo: '2027-12-31',
        provisionalYears: [2027],
        fallbackYears: [],
      },
      intake: { pendingStarts: 0, oldestSince: null, lastError: null },
    });

    // when an SLA started Thursday 2027-12-30 16:00 with 16 working hours runs into 2028
    const due = await preview('2027-12-30T16:00:00+08:00', 16);
    // then it counts Monday 3 January 2028 as a plain weekday, and says so
    expect(due).toEqual({
      dueAt: '2028-01-03T17:00:00+08:00',
      warnAt: '2028-01-03T13:48:00+08:00',
      provisional: true,
      fallback: true,
    });

    // and /healthz keeps its top-level meaning (this app has no engine: 503 for that reason only) and names 2028
    const after = await t.client().get('/healthz');
    expect(after.status).toBe(503);
    expect(after.body).toMatchObject({
      status: 'unavailable',
      db: 'ok',
      engine: expect.stringContaining('not connected'),
    });
    expect(after.body.details.calendar).toEqual({
      status: 'fallback',
      coveredFrom: '2025-01-01',
      coveredTo: '2027-12-31',
      provisionalYears: [2027],
      fallbackYears: [2028],
    });
    // and the admin page's state too
    expect((await admin.get('/api/admin/calendar')).body.status).toMatchObject({
      status: 'fallback',
      fallbackYears: [2028],
      upcomingYear: null,
    });
  });

  it('is 200 with a fallback when db and engine answer: the calendar is a warning, not an outage', async () => {
    const healthy = await t.spawn({ context: { calendar, engineHealth: async () => 'ok' } });
    try {
      const res = await healthy.client().get('/healthz');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'ok',
        db: 'ok',
        engine: 'ok',
        details: { calendar: { status: 'fallback', fallbackYears: [2028] } },
      });
    } finally {
      await healthy.close();
    }
  });

  it('logs the fallback once per year, however many computations need it', async () => {
    const mentions = (y: number) => warnings.filter((w) => w.obj.years.includes(y));
    expect(mentions(2028)).toHaveLength(1);
    expect(mentions(2028)[0].msg).toContain('no holiday data for 2028');
    for (let i = 0; i < 5; i++) await preview('2029-12-31T09:00:00+08:00', 40);
    // 2029 and 2030 were needed by the same computation: one line names both
    expect(warnings.filter((w) => w.obj.years.includes(2029))).toEqual([
      { obj: expect.objectContaining({ years: [2029, 2030] }), msg: expect.stringContaining('2029–2030') },
    ]);
    expect(mentions(2028)).toHaveLength(1);
  });
});

describe('admins only', () => {
  it('answers 403 to a clerk and 401 to anonymous callers, and changes nothing', async () => {
    for (const res of [
      await clerk.get('/api/admin/calendar'),
      await clerk.get('/api/admin/calendar/years/2026'),
      await clerk.put('/api/admin/calendar/years/2028', year2028()),
      await clerk.delete('/api/admin/calendar/years/2027'),
      await clerk.post('/api/admin/calendar/import', year2028()),
      await clerk.get('/api/admin/calendar/preview?start=2028-01-01T00:00:00%2B08:00&workingHours=1'),
    ]) {
      expect(res.status).toBe(403);
    }
    expect((await t.client().get('/api/admin/calendar')).status).toBe(401);
    expect(await testDb.db('calendar_year').count({ n: '*' })).toEqual([{ n: expect.anything() }]);
    expect(Number((await testDb.db('calendar_year').count({ n: '*' }))[0].n)).toBe(0);
  });
});

describe('entering, replacing and deleting a year', () => {
  it('enters 2028 (201), and the due date of the same SLA moves past the New Year holiday at once', async () => {
    const res = await admin.put('/api/admin/calendar/years/2028', year2028());
    expect(res.status).toBe(201);
    expect(res.body.year).toMatchObject({
      year: 2028,
      source: 'admin',
      provisional: false,
      holidays: 3,
      workdays: 2,
      overridesFile: false,
      updatedBy: 'admin',
      updatedAt: TODAY.toISOString(),
    });

    // then Monday 3 January is a holiday: the 16 hours end on Tuesday 4 January
    expect(await preview('2027-12-30T16:00:00+08:00', 16)).toEqual({
      dueAt: '2028-01-04T17:00:00+08:00',
      warnAt: '2028-01-04T13:48:00+08:00',
      provisional: true,
      fallback: false,
    });
    // and so does every caller of defaultCalendar() in this process (SLA workers, task service, dashboard)
    expect(computeSlaDueAt({ start: '2027-12-30T16:00:00+08:00', workingHours: 16 }).dueAt).toBe(
      '2028-01-04T17:00:00+08:00',
    );
    expect(defaultCalendar().isWorkingDay('2028-01-23')).toBe(true); // make-up Sunday
    // and /healthz no longer names 2028
    expect((await t.client().get('/healthz')).body.details.calendar).toMatchObject({
      coveredTo: '2028-12-31',
      fallbackYears: [],
    });
    const list = await admin.get('/api/admin/calendar');
    expect(list.body.years.map((y: any) => `${y.year}:${y.source}`)).toEqual([
      '2025:file',
      '2026:file',
      '2027:file',
      '2028:admin',
    ]);
  });

  it('replaces 2028 (200) and marks it provisional', async () => {
    const res = await admin.put(
      '/api/admin/calendar/years/2028',
      year2028({ provisional: true, holidays: [{ name: '元旦', from: '2028-01-01', to: '2028-01-01' }] }),
    );
    expect(res.status).toBe(200);
    expect(res.body.year).toMatchObject({ provisional: true, holidays: 1, workdays: 2 });
    expect(await preview('2027-12-30T16:00:00+08:00', 16)).toMatchObject({
      dueAt: '2028-01-03T17:00:00+08:00',
      provisional: true,
      fallback: false,
    });
  });

  it('refuses unusable data with every problem, in English and Chinese (422), and keeps what was there', async () => {
    const res = await admin.put(
      '/api/admin/calendar/years/2028',
      year2028({
        holidays: [
          { name: '春节', from: '2028-01-25', to: '2028-02-01' },
          { name: '元宵', from: '2028-01-31', to: '2028-02-02' },
          { name: '国庆节', from: '2028-10-01', to: '2029-10-07' },
          { name: '清明节', from: '2028-04-31', to: '2028-04-02' },
        ],
        workdays: [{ date: '2028-01-26', for: '春节' }],
      }),
    );
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    // (国庆节 to 2029-10-07 is both too long and outside 2028)
    expect(res.body.errors.map((e: any) => e.field)).toEqual([
      'holidays[2].to',
      'holidays[2].to',
      'holidays[3].from',
      'holidays[1].from',
      'workdays[0].date',
      'workdays[0].date',
    ]);
    expect(res.body.errors[3]).toEqual({
      field: 'holidays[1].from',
      message: 'holiday 2 (元宵): 2028-01-31 … 2028-02-02 overlaps holiday 1 (春节), 2028-01-25 … 2028-02-01',
      messageZh: '第 2 个假日（元宵）：2028-01-31 至 2028-02-02 与第 1 个假日（春节）（2028-01-25 至 2028-02-01）重叠',
    });
    expect(res.body.errors[4].messageZh).toContain('星期三');
    expect((await admin.get('/api/admin/calendar/years/2028')).body.year.holidays).toBe(1);
    // a body of the wrong shape is the usual 400
    expect((await admin.put('/api/admin/calendar/years/2028', { holidays: 'none' })).status).toBe(400);
    expect((await admin.put('/api/admin/calendar/years/1999', year2028())).status).toBe(400);
  });

  it('overrides a shipped year and deleting the override brings the shipped one back; shipped years cannot be deleted', async () => {
    const override = await admin.put('/api/admin/calendar/years/2026', {
      holidays: [{ name: '国庆节', from: '2026-10-01', to: '2026-10-08' }],
    });
    expect(override.status).toBe(200);
    expect(override.body.year).toMatchObject({ source: 'admin', overridesFile: true, holidays: 1 });
    expect(defaultCalendar().isWorkingDay('2026-02-17')).toBe(true); // 春节 is not in the override

    const del = await admin.delete('/api/admin/calendar/years/2026');
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ year: 2026, fileYearRestored: true });
    expect(defaultCalendar().isWorkingDay('2026-02-17')).toBe(false);

    const shipped = await admin.delete('/api/admin/calendar/years/2026');
    expect(shipped.status).toBe(409);
    expect(shipped.body.detail).toContain('comes with the software');
    expect((await admin.delete('/api/admin/calendar/years/2031')).status).toBe(404);
  });

  it('deletes an admin-entered year: it falls back to plain weekdays again', async () => {
    const del = await admin.delete('/api/admin/calendar/years/2028');
    expect(del.body).toEqual({ year: 2028, fileYearRestored: false });
    expect((await admin.get('/api/admin/calendar/years/2028')).status).toBe(404);
    expect(await preview('2027-12-30T16:00:00+08:00', 16)).toMatchObject({
      dueAt: '2028-01-03T17:00:00+08:00',
      fallback: true,
    });
  });
});

describe('POST /api/admin/calendar/import', () => {
  it('imports the whole shipped file as unchanged, storing nothing', async () => {
    const res = await admin.post('/api/admin/calendar/import', holidayData);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      dryRun: false,
      years: [2025, 2026, 2027].map((year) => ({ year, action: 'unchanged' })),
    });
    expect(Number((await testDb.db('calendar_year').count({ n: '*' }))[0].n)).toBe(0);
  });

  it('checks a year without writing on a dry run, then imports it', async () => {
    const dry = await admin.post('/api/admin/calendar/import?dryRun=true', year2028());
    expect(dry.body).toEqual({ dryRun: true, years: [{ year: 2028, action: 'added' }] });
    expect((await admin.get('/api/admin/calendar/years/2028')).status).toBe(404);

    const res = await admin.post('/api/admin/calendar/import', year2028());
    expect(res.body).toEqual({ dryRun: false, years: [{ year: 2028, action: 'added' }] });
    expect((await admin.get('/api/admin/calendar/years/2028')).body.year).toMatchObject({
      source: 'import',
      updatedBy: 'admin',
    });
    expect((await admin.post('/api/admin/calendar/import', year2028())).body.years).toEqual([
      { year: 2028, action: 'unchanged' },
    ]);
  });

  it('takes a multipart file with the year as a field, and a whole file with a changed year', async () => {
    const form = new FormData();
    const y2029 = { holidays: [{ name: '元旦', from: '2029-01-01', to: '2029-01-01' }], workdays: [] };
    form.append('year', '2029');
    form.append('file', new Blob([JSON.stringify(y2029)], { type: 'application/json' }), '2029.json');
    const res = await fetch(`${t.url}/api/admin/calendar/import`, {
      method: 'POST',
      body: form,
      headers: { cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': admin.csrfToken! },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ dryRun: false, years: [{ year: 2029, action: 'added' }] });

    const file = { ...holidayData, years: { ...holidayData.years, '2028': year2028({ provisional: true }) } };
    const whole = await admin.post('/api/admin/calendar/import', file);
    expect(whole.body.years).toEqual([
      { year: 2025, action: 'unchanged' },
      { year: 2026, action: 'unchanged' },
      { year: 2027, action: 'unchanged' },
      { year: 2028, action: 'replaced' },
    ]);
    expect(defaultCalendar().coveredYears).toEqual([2025, 2026, 2027, 2028, 2029]);
  });

  it('refuses a bad file with every problem named by year and field, importing none of it', async () => {
    const file = {
      ...holidayData,
      years: {
        '2030': year2028(),
        '2031': {
          holidays: [{ name: '元旦', from: '2031-01-01', to: '2031-01-01' }],
          workdays: [{ date: '2031-01-06', for: '元旦', weekday: 'Sunday' }],
        },
      },
    };
    const res = await admin.post('/api/admin/calendar/import', file);
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: any) => e.field)).toEqual([
      'years.2030.holidays[0].to',
      'years.2030.holidays[0].from',
      'years.2030.holidays[1].to',
      'years.2030.holidays[1].from',
      'years.2030.holidays[2].to',
      'years.2030.holidays[2].from',
      'years.2030.workdays[0].date',
      'years.2030.workdays[1].date',
      'years.2031.workdays[0].date',
      'years.2031.workdays[0].weekday',
    ]);
    expect(res.body.errors[8].message).toBe(
      'make-up working day 1 (2031-01-06): 2031-01-06 is a Monday, already a working day — a make-up working day (调休) is a Saturday or Sunday',
    );
    expect((await admin.get('/api/admin/calendar/years/2031')).status).toBe(404);

    const notJson = await admin.request('POST', '/api/admin/calendar/import?filename=x.json', {
      body: '{"years": ',
      headers: { 'content-type': 'text/plain' },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.errors).toEqual([{ field: 'file', message: expect.stringContaining('JSON') }]);
  });
});

describe('several processes', () => {
  it('another process notices the change with one fingerprint query and reloads', async () => {
    // given a second platform's calendar on the same database (not installed in this process)
    const other = new CalendarService({ db: testDb.db, now: () => TODAY, install: false });
    await other.load();
    expect(await other.refreshIfChanged()).toBe(false);
    expect(other.current().isFallback('2032-06-01')).toBe(true);

    // when an admin enters 2032 through this app
    await admin.put('/api/admin/calendar/years/2032', {
      holidays: [{ name: '国庆节', from: '2032-10-01', to: '2032-10-07' }],
    });

    // then the other one picks it up on its next check
    expect(await other.refreshIfChanged()).toBe(true);
    expect(other.current().isWorkingDay('2032-10-04')).toBe(false);
    expect(await other.refreshIfChanged()).toBe(false);

    // and its watcher does the same on its own
    const stop = other.watch(20);
    try {
      await admin.delete('/api/admin/calendar/years/2032');
      const until = Date.now() + 5000;
      while (!other.current().isFallback('2032-06-01') && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      expect(other.current().isFallback('2032-06-01')).toBe(true);
    } finally {
      stop();
    }
  });

  it('ignores a stored row that is not valid holiday data (with an error log) instead of failing to load', async () => {
    await testDb.db('calendar_year').insert({
      year: 2033,
      data: JSON.stringify({ holidays: 'broken' }),
      provisional: false,
      source: 'admin',
      updated_by: 'sql',
    });
    const other = new CalendarService({ db: testDb.db, now: () => TODAY, install: false });
    await other.load();
    expect(other.current().coveredYears).not.toContain(2033);
    expect(other.list().find((y) => y.year === 2033)).toMatchObject({ source: 'admin', holidays: 0 });
    await testDb.db('calendar_year').where({ year: 2033 }).delete();
  });
});
