/**
 * The daily rollup (dashboard_daily) gives the same answers as the raw rows: every rollup-based
 * figure is compared with the original raw-row query on a generated dataset — periods starting and
 * ending inside days and on Shanghai midnights, scopes, day/week/month buckets, another session time
 * zone — before any fold (everything dirty), after a fold, after reopening, merging, rating,
 * re-dispatching, breaching a step after the close, deleting a case, and after folding again. The
 * folded table must equal a rebuild from scratch. Runs on PGlite and, with DATABASE_URL, PostgreSQL.
 */
import type { Knex } from 'knex';
import { migrateAll } from '../../platform/migrate-all';
import { foldDashboardDaily, rebuildDashboardDaily } from '../../server/dashboard/daily-facts';
import { seedDepartments } from '../../domain/departments/departments';
import * as q from '../../server/dashboard/dashboard-queries';
import { DashboardService } from '../../server/dashboard/dashboard-service';
import { createTestDb, type TestDb } from '../helpers/db';

const DAY = 86_400_000;
const sh = (local: string) => new Date(`${local}+08:00`);
const DEPARTMENTS = ['housing', 'market', 'enforcement', 'street-kongpu'];
const SCENARIOS = [null, 'housing-quality', 'fire-lane', 'case-intake'];
const STATUSES = ['received', 'dispatching', 'handling', 'suspended', 'replied', 'closed', 'cancelled', 'merged'];

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function prng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
  };
}

const START = sh('2026-10-01T00:00:00').getTime();
const rnd = prng(7);
/** An instant within the 45 days from START; a third of them on or right around a Shanghai midnight. */
function instant(after = START): Date {
  const day = Math.floor((after - START) / DAY) + rnd.int(12);
  const base = START + Math.min(day, 44) * DAY;
  const edge = rnd.int(6);
  const ms = edge === 0 ? 0 : edge === 1 ? DAY - 1 : edge === 2 ? 1 : rnd.int(DAY);
  return new Date(Math.max(after, base + ms));
}

type Row = Record<string, any>;
const rows = async (db: Knex, sql: string, b: unknown[]): Promise<Row[]> => (await db.raw(sql, b as any[])).rows;
const BREACHED = '(k.red_at is not null or k.stopped_at > k.due_at)';
function scopeSql(s: q.Scope) {
  const parts: string[] = [];
  const b: unknown[] = [];
  if (s.department) {
    parts.push(' and c.lead_department = ?');
    b.push(s.department);
  }
  if (s.scenario) {
    parts.push(' and c.scenario = ?');
    b.push(s.scenario);
  }
  return { sql: parts.join(''), b };
}

/** The figures straight from the raw rows: the queries as they were before the rollup. */
const raw = {
  breakdown(db: Knex, p: q.Period, s: q.Scope) {
    const sc = scopeSql(s);
    return rows(
      db,
      `select c.channel, coalesce(c.scenario, '') as scenario, c.status, grouping(c.channel) as g_channel, grouping(coalesce(c.scenario, '')) as g_scenario, grouping(c.status) as g_status, count(*) as n
      from "case" c where c.created_at >= ? and c.created_at < ?${sc.sql} group by grouping sets ((c.channel), (coalesce(c.scenario, '')), (c.status), ())`,
      [p.from, p.to, ...sc.b],
    );
  },
  response(db: Knex, p: q.Period, s: q.Scope, g: boolean) {
    const sc = scopeSql(s);
    return rows(
      db,
      `select ${g ? 'c.lead_department as department,' : ''} count(*) as total, count(*) filter (where c.response_met) as met
      from "case" c where c.created_at >= ? and c.created_at < ? and c.lead_department is not null and c.status <> 'merged'${sc.sql} ${g ? 'group by c.lead_department' : ''}`,
      [p.from, p.to, ...sc.b],
    );
  },
  resolution(db: Knex, p: q.Period, s: q.Scope, g: boolean) {
    const sc = scopeSql(s);
    return rows(
      db,
      `select ${g ? 'c.lead_department as department,' : ''} count(*) as total, count(*) filter (where not exists (select 1 from sla_clock k where k.case_id = c.id and ${BREACHED})) as met
      from "case" c where c.closed_at >= ? and c.closed_at < ? and c.status = 'closed'${sc.sql} ${g ? 'group by c.lead_department' : ''}`,
      [p.from, p.to, ...sc.b],
    );
  },
  satisfaction(db: Knex, p: q.Period, s: q.Scope, g: boolean) {
    const sc = scopeSql(s);
    return rows(
      db,
      `select ${g ? 'c.lead_department as department,' : ''} count(*) as total, count(*) filter (where c.rating_satisfied) as met
      from "case" c where c.rated_at >= ? and c.rated_at < ?${sc.sql} ${g ? 'group by c.lead_department' : ''}`,
      [p.from, p.to, ...sc.b],
    );
  },
  series(
    db: Knex,
    metric: 'created' | 'closed' | 'rated' | 'satisfied',
    interval: q.Interval,
    p: q.Period,
    s: q.Scope,
  ) {
    const sc = scopeSql(s);
    const col = metric === 'created' ? 'c.created_at' : metric === 'closed' ? 'c.closed_at' : 'c.rated_at';
    const extra =
      metric === 'closed' ? " and c.status = 'closed'" : metric === 'satisfied' ? ' and c.rating_satisfied' : '';
    return rows(
      db,
      `select to_char(s.bucket, 'YYYY-MM-DD"T"HH24:MI:SS') as bucket, s.n from (
      select date_trunc('${interval}', (${col} at time zone 'UTC') + interval '8 hours') as bucket, count(*) as n from "case" c where ${col} >= ? and ${col} < ?${extra}${sc.sql} group by 1) s order by s.bucket`,
      [p.from, p.to, ...sc.b],
    );
  },
};

const norm = (rs: Row[]) =>
  rs
    .map((r) =>
      JSON.stringify(
        Object.fromEntries(
          Object.entries(r)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [
              k,
              typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : typeof v === 'bigint' ? Number(v) : v,
            ]),
        ),
      ),
    )
    .sort();
/** Grouped rows without cases are not reported by raw queries: drop zero groups of the grand total only. */
const grouped = (rs: Row[]) =>
  norm(rs.map((r) => ({ department: r.department ?? null, total: Number(r.total), met: Number(r.met) })));

/** Periods: whole days, partial edges, midnight-exact bounds, a single partial day, empty ones. */
function periods(): q.Period[] {
  const out: q.Period[] = [
    { from: sh('2026-10-01T00:00:00'), to: sh('2026-12-01T00:00:00') },
    { from: sh('2026-10-05T00:00:00'), to: sh('2026-10-20T00:00:00') },
    { from: sh('2026-10-05T13:17:00'), to: sh('2026-10-20T08:00:00.001') },
    { from: sh('2026-10-07T23:59:59.999'), to: sh('2026-10-09T00:00:00.001') },
    { from: sh('2026-10-10T09:00:00'), to: sh('2026-10-10T18:00:00') },
    { from: sh('2026-10-10T00:00:00'), to: sh('2026-10-11T00:00:00') },
    { from: new Date('2026-10-12T16:00:00Z'), to: new Date('2026-11-02T15:59:59.999Z') },
    { from: sh('2026-11-01T00:00:00'), to: sh('2026-11-01T00:00:00') },
  ];
  for (let i = 0; i < 4; i++) {
    const a = START + rnd.int(46 * DAY);
    out.push({ from: new Date(a), to: new Date(a + rnd.int(20 * DAY)) });
  }
  return out;
}

const SCOPES: q.Scope[] = [
  {},
  { department: 'housing' },
  { scenario: 'housing-quality' },
  { department: 'enforcement', scenario: 'fire-lane' },
];

async function expectSameAsRaw(db: Knex) {
  for (const p of periods()) {
    for (const s of SCOPES) {
      const label = `${p.from.toISOString()}…${p.to.toISOString()} ${JSON.stringify(s)}`;
      const breakdown = norm(await q.createdBreakdown(db, p, s));
      expect([label, breakdown]).toEqual([label, norm(await raw.breakdown(db, p, s))]);
      for (const g of [false, true]) {
        expect([label, g, grouped(await q.responseCounts(db, p, s, g))]).toEqual([
          label,
          g,
          grouped(await raw.response(db, p, s, g)),
        ]);
        expect([label, g, grouped(await q.resolutionCounts(db, p, s, g))]).toEqual([
          label,
          g,
          grouped(await raw.resolution(db, p, s, g)),
        ]);
        expect([label, g, grouped(await q.satisfactionCounts(db, p, s, g))]).toEqual([
          label,
          g,
          grouped(await raw.satisfaction(db, p, s, g)),
        ]);
      }
      for (const metric of ['created', 'closed', 'rated', 'satisfied'] as const) {
        for (const interval of ['day', 'week', 'month'] as const) {
          const got = (await q.series(db, metric, interval, p, s)).map((r) => [r.bucket, Number(r.n)]);
          const want = (await raw.series(db, metric, interval, p, s)).map((r) => [r.bucket, Number(r.n)]);
          expect([label, metric, interval, got]).toEqual([label, metric, interval, want]);
        }
      }
    }
  }
}

const dump = async (db: Knex) =>
  norm(
    await rows(
      db,
      `select metric, to_char(day, 'YYYY-MM-DD') as day, department, scenario, channel, status, n, met from dashboard_daily where n <> 0 or met <> 0`,
      [],
    ),
  );

describe('dashboard daily rollup = raw rows', () => {
  let testDb: TestDb;
  let db: Knex;
  const ids: string[] = [];

  beforeAll(async () => {
    testDb = await createTestDb();
    db = testDb.db;
    await migrateAll(db, { engine: false });
    await seedDepartments(db);
    // given 300 cases over 45 days, created/closed/rated on and around Shanghai midnights, a third
    // with an SLA step, some breached (red card or finished late)
    for (let i = 0; i < 300; i++) {
      const id = `c-${String(i).padStart(4, '0')}`;
      ids.push(id);
      const created = instant();
      const status = rnd.pick(STATUSES);
      const closed = status === 'closed' || rnd.int(10) === 0 ? instant(created.getTime()) : null; // some non-closed cases keep a closed_at (reopened)
      const rated = closed && rnd.int(3) > 0 ? instant(closed.getTime()) : null;
      await db('case').insert({
        id,
        case_no: `JB-R${i}`,
        description: `案件 ${i}`,
        status,
        channel: rnd.pick(['web', 'hotline', 'open311', 'device']),
        lead_department: rnd.int(8) === 0 ? null : rnd.pick(DEPARTMENTS),
        scenario: rnd.pick(SCENARIOS),
        created_at: created,
        closed_at: closed,
        response_met: rnd.pick([true, false, null]),
        rated_at: rated,
        rating_satisfied: rated ? rnd.pick([true, false, null]) : null,
        reopen_count: closed && status !== 'closed' ? 1 : 0,
      });
      if (rnd.int(3) === 0) {
        const due = instant(created.getTime());
        const breached = rnd.int(3);
        await db('sla_clock').insert({
          sla_key: `sla:${id}`,
          case_id: id,
          process_instance_key: '1',
          bpmn_process_id: 'case-handling',
          step: 'leadHandle',
          working_hours: 8,
          started_at: created,
          warn_at: due,
          due_at: due,
          state: 'stopped',
          red_at: breached === 0 ? due : null,
          stopped_at: breached === 1 ? new Date(due.getTime() + 60_000) : due,
        });
      }
    }
  });
  afterAll(() => testDb.destroy());

  test('before any fold (every case dirty), the rollup-based figures equal the raw ones', async () => {
    expect(Number((await rows(db, 'select count(distinct case_id) as n from dashboard_dirty', []))[0].n)).toBe(300);
    await expectSameAsRaw(db);
  });

  test('after a fold: nothing dirty, same answers, and the table equals a rebuild from scratch', async () => {
    expect(await foldDashboardDaily(db)).toBe(300);
    expect(Number((await rows(db, 'select count(*) as n from dashboard_dirty', []))[0].n)).toBe(0);
    await expectSameAsRaw(db);
    const folded = await dump(db);
    await rebuildDashboardDaily(db);
    expect(await dump(db)).toEqual(folded);
  });

  test('reopened, merged, rated after closing, re-dispatched, breached after the close, deleted: exact before and after folding', async () => {
    const closed = (await db('case').where({ status: 'closed' }).orderBy('id').select('id')).map((r) => r.id as string);
    // a closed case reopened (status back to handling, closed_at cleared), another reopened keeping its closed_at
    await db('case').where({ id: closed[0] }).update({ status: 'handling', closed_at: null, reopen_count: 1 });
    await db('case').where({ id: closed[1] }).update({ status: 'handling', reopen_count: 1 });
    // a case merged into another
    await db('case').where({ id: ids[5] }).update({ status: 'merged', merged_into: ids[6] });
    // closed, then rated later (including over a midnight)
    await db('case')
      .where({ id: closed[2] })
      .update({ rated_at: sh('2026-11-10T23:59:59.999'), rating_satisfied: true });
    await db('case')
      .where({ id: closed[3] })
      .update({ rated_at: sh('2026-11-11T00:00:00'), rating_satisfied: false });
    // re-dispatched to another department and re-classified to another scenario
    await db('case').where({ id: closed[4] }).update({ lead_department: 'market', scenario: 'fire-lane' });
    // a step of a closed case found breached after the close, another un-breached
    await db('sla_clock').insert({
      sla_key: `sla:${closed[5]}:late`,
      case_id: closed[5],
      process_instance_key: '1',
      bpmn_process_id: 'case-handling',
      step: 'collaborate',
      working_hours: 8,
      started_at: sh('2026-10-01T09:00:00'),
      warn_at: sh('2026-10-02T09:00:00'),
      due_at: sh('2026-10-02T09:00:00'),
      state: 'running',
    });
    await db('sla_clock')
      .where({ sla_key: `sla:${closed[5]}:late` })
      .update({ red_at: sh('2026-10-02T09:00:00'), light: 'red' });
    const [red] = await db('sla_clock')
      .whereNotNull('red_at')
      .whereIn('case_id', closed.slice(6))
      .orderBy('sla_key')
      .limit(1)
      .select('sla_key');
    await db('sla_clock')
      .where({ sla_key: red.sla_key })
      .update({ red_at: null, stopped_at: db.ref('due_at') });
    // a case closed now on a midnight, and one deleted
    await db('case')
      .where({ id: ids[7] })
      .update({ status: 'closed', closed_at: sh('2026-10-20T00:00:00') });
    await db('case').where({ id: ids[8] }).delete();
    // a brand-new case created on the last millisecond of a day
    await db('case').insert({
      id: 'c-new',
      case_no: 'JB-NEW',
      description: '新',
      status: 'received',
      channel: 'web',
      created_at: sh('2026-10-15T23:59:59.999'),
      scenario: 'housing-quality',
    });

    await expectSameAsRaw(db);
    await foldDashboardDaily(db);
    await expectSameAsRaw(db);
    const folded = await dump(db);
    await rebuildDashboardDaily(db);
    expect(await dump(db)).toEqual(folded);
  });

  test('a case counts on its Asia/Shanghai day whatever the session time zone', async () => {
    await db('case').insert([
      {
        id: 'tz-1',
        case_no: 'JB-TZ1',
        description: 'tz',
        status: 'received',
        channel: 'web',
        lead_department: 'justice',
        created_at: new Date('2026-11-20T15:59:59.999Z'),
      }, // 23:59:59.999 on the 20th
      {
        id: 'tz-2',
        case_no: 'JB-TZ2',
        description: 'tz',
        status: 'received',
        channel: 'web',
        lead_department: 'justice',
        created_at: new Date('2026-11-20T16:00:00.000Z'),
      }, // 00:00 on the 21st
    ]);
    await foldDashboardDaily(db);
    await db.transaction(async (trx) => {
      await trx.raw("set local timezone = 'America/New_York'");
      const p = { from: sh('2026-11-21T00:00:00'), to: sh('2026-11-22T00:00:00') };
      expect((await q.responseCounts(trx, p, { department: 'justice' })).map((r) => Number(r.total))).toEqual([1]);
      expect(
        (
          await q.series(
            trx,
            'created',
            'day',
            { from: sh('2026-11-20T00:00:00'), to: sh('2026-11-22T00:00:00') },
            { department: 'justice' },
          )
        ).map((r) => [r.bucket, Number(r.n)]),
      ).toEqual([
        ['2026-11-20T00:00:00', 1],
        ['2026-11-21T00:00:00', 1],
      ]);
      await expectSameAsRaw(trx);
    });
  });

  test('writers and folds running at the same time (several connections on PostgreSQL) leave the rollup equal to a rebuild', async () => {
    const live = (await db('case').select('id')).map((r) => r.id as string);
    const writer = async (w: number) => {
      const r = prng(100 + w);
      for (let i = 0; i < 15; i++) {
        const id = r.pick(live);
        const kind = r.int(4);
        if (kind === 0)
          await db('case')
            .where({ id })
            .update({ status: r.pick(STATUSES), lead_department: r.pick(DEPARTMENTS) });
        else if (kind === 1)
          await db('case')
            .where({ id })
            .update({ status: 'closed', closed_at: new Date(START + r.int(45 * DAY)) });
        else if (kind === 2)
          await db('case')
            .where({ id })
            .update({ rated_at: new Date(START + r.int(45 * DAY)), rating_satisfied: r.int(2) === 0 });
        else {
          await db('sla_clock').insert({
            sla_key: `sla:${id}:w${w}-${i}`,
            case_id: id,
            process_instance_key: '1',
            bpmn_process_id: 'case-handling',
            step: `s${i}`,
            working_hours: 8,
            started_at: new Date(START),
            warn_at: new Date(START),
            due_at: new Date(START),
            state: 'running',
            red_at: r.int(2) === 0 ? new Date(START) : null,
          });
        }
      }
    };
    const folder = async () => {
      for (let i = 0; i < 6; i++) await foldDashboardDaily(db, { wait: i % 2 === 0 });
    };
    await Promise.all([writer(1), writer(2), writer(3), writer(4), folder(), folder()]);
    await expectSameAsRaw(db);
    await foldDashboardDaily(db);
    const folded = await dump(db);
    await rebuildDashboardDaily(db);
    expect(await dump(db)).toEqual(folded);
  });

  test('the dashboard service folds pending changes now and then, and answers the same either way', async () => {
    await db('case')
      .where({ id: ids[10] })
      .update({ status: 'closed', closed_at: sh('2026-10-25T12:00:00') });
    const now = sh('2026-11-01T00:00:00');
    const service = new DashboardService({ db, now: () => now, foldIntervalMs: 60_000 });
    const before = await rows(db, 'select count(*) as n from dashboard_dirty', []);
    expect(Number(before[0].n)).toBeGreaterThan(0);
    const first = await service.rates({});
    expect(Number((await rows(db, 'select count(*) as n from dashboard_dirty', []))[0].n)).toBe(0);
    await db('case')
      .where({ id: ids[11] })
      .update({ status: 'closed', closed_at: sh('2026-10-26T12:00:00') });
    const second = await service.rates({}); // within the interval: not folded, still exact
    expect(Number((await rows(db, 'select count(*) as n from dashboard_dirty', []))[0].n)).toBe(1);
    const p = service.period({});
    const [want] = await raw.resolution(db, p, {}, false);
    expect([second.resolution.total, second.resolution.met]).toEqual([Number(want.total), Number(want.met)]);
    expect(second.resolution.total).toBeGreaterThanOrEqual(first.resolution.total);
  });
});
