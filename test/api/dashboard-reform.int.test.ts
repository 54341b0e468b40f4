/**
 * The reform effect's SQL aggregation (per-case timeline figures kept in dashboard_case, corrected
 * for cases changed since the last fold) gives exactly what replaying every timeline in JS gives
 * (measureCase, the previous implementation): generated timelines with repeated `reported` and
 * closing events, missing and null element ids, empty departments, returns to a previous
 * department, reporter visits, weekends and holidays, closes before reports; before and after
 * folding, after new events, re-opened and deleted cases, and with `since`. PGlite and PostgreSQL.
 */
import type { Knex } from 'knex';
import { migrateAll } from '../../platform/migrate-all';
import { foldDashboardDaily, rebuildDashboardDaily } from '../../server/dashboard/daily-facts';
import { seedDepartments } from '../../domain/departments/departments';
import baselines from '../../processes/reform-baselines.json';
import { computeReformEffect, measureCase, type Figures, type ReformEffect } from '../../server/reform/reform-effect';
import { createTestDb, type TestDb } from '../helpers/db';

/** The reform effect as it was computed before: every closed case's timeline replayed in JS. */
async function replayed(db: Knex, options: { since?: Date } = {}): Promise<ReformEffect[]> {
  const pct = (base: number, m: number) => (base > 0 ? Math.round(((base - m) / base) * 1000) / 10 : 0);
  const avg = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100;
  const out: ReformEffect[] = [];
  for (const [scenario, b] of Object.entries(baselines.scenarios)) {
    const q = db('case').whereIn('status', ['closed']).select('id');
    if (scenario === 'case-intake') q.where((w) => w.whereNull('scenario').orWhere('scenario', 'case-intake'));
    else q.where({ scenario });
    if (options.since) q.where('created_at', '>=', options.since);
    const ids = (await q).map((r: { id: string }) => r.id);
    const events = ids.length ? await db('case_event').whereIn('case_id', ids).orderBy(['case_id', 'id']) : [];
    const byCase = new Map<string, any[]>();
    for (const e of events) byCase.set(e.case_id, [...(byCase.get(e.case_id) ?? []), e]);
    const figures = [...byCase.values()].map(measureCase).filter((f): f is Figures => f !== null);
    const measured = figures.length
      ? {
          steps: avg(figures.map((f) => f.steps)),
          handoffs: avg(figures.map((f) => f.handoffs)),
          visits: avg(figures.map((f) => f.visits)),
          days: avg(figures.map((f) => f.days)),
        }
      : null;
    out.push({
      scenario,
      label: b.label,
      cases: figures.length,
      baseline: { steps: b.steps, handoffs: b.handoffs, visits: b.visits, days: b.days },
      measured,
      reduction: measured
        ? {
            steps: pct(b.steps, measured.steps),
            handoffs: pct(b.handoffs, measured.handoffs),
            visits: pct(b.visits, measured.visits),
            days: pct(b.days, measured.days),
          }
        : null,
    });
  }
  return out;
}

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

const rnd = prng(11);
const SCENARIOS = [
  null,
  'case-intake',
  'housing-quality',
  'hazmat-transport',
  'pollution-source',
  'new-product-rd',
  'fire-lane',
  'not-configured',
];
const TYPES = [
  'reported',
  'dispatched',
  'returned',
  'collaborators.assigned',
  'sla.escalated',
  'task.created',
  'task.completed',
  'closed',
  'merged',
  'follow-up.expired',
  'fire-lane.cleared',
  'fire-lane.handled',
  'rated',
  'note',
  'sla.warned',
];
const DEPTS = [null, '', 'housing', 'market', 'enforcement'];
// Holidays and make-up days of 2025–2026 around these: Spring Festival 2026, National Day 2025
const STARTS = [
  '2025-09-26T16:20:00+08:00',
  '2025-12-31T11:59:00+08:00',
  '2026-02-13T08:29:59.999+08:00',
  '2026-05-29T17:29:00+08:00',
  '2026-11-02T09:00:00.123+08:00',
];

let nCase = 0;
async function seedCase(db: Knex, overrides: Record<string, unknown> = {}, withEvents = true): Promise<string> {
  const id = `r-${String(++nCase).padStart(4, '0')}`;
  const start = new Date(rnd.pick(STARTS)).getTime() + rnd.int(3) * 86_400_000;
  await db('case').insert({
    id,
    case_no: `JB-F${nCase}`,
    description: `案件 ${nCase}`,
    status: rnd.int(4) === 0 ? 'handling' : 'closed',
    channel: 'web',
    scenario: rnd.pick(SCENARIOS),
    created_at: new Date(start),
    ...overrides,
  });
  let at = start;
  const events: Record<string, unknown>[] = [];
  const n = withEvents ? rnd.int(9) : 0;
  for (let i = 0; i < n; i++) {
    // mostly forward in time, sometimes at the same instant or (clock skew) backwards
    at += rnd.int(5) === 0 ? -rnd.int(3_600_000) : rnd.int(3) * 86_400_000 + rnd.int(10) * 3_600_000 + rnd.int(1000);
    const type = i === 0 && rnd.int(4) > 0 ? 'reported' : rnd.pick(TYPES);
    const element = rnd.int(6);
    const data =
      type === 'task.completed'
        ? element === 0
          ? {}
          : element === 1
            ? { elementId: null }
            : { elementId: rnd.pick(['leadHandle', 'collaborate', 'consolidate']) }
        : {};
    events.push({
      case_id: id,
      at: new Date(at),
      type,
      actor: rnd.pick(['reporter', 'clerk.housing', 'system']),
      department: rnd.pick(DEPTS),
      data: JSON.stringify(data),
    });
  }
  if (events.length) await db('case_event').insert(events);
  return id;
}

describe('reform effect: SQL aggregation = timeline replay', () => {
  let testDb: TestDb;
  let db: Knex;
  const ids: string[] = [];
  const SINCE = [undefined, new Date('2026-01-01T00:00:00+08:00'), new Date('2026-05-30T00:00:00+08:00')];

  const expectSame = async () => {
    for (const since of SINCE) {
      const options = since ? { since } : {};
      expect([since, await computeReformEffect(db, options)]).toEqual([since, await replayed(db, options)]);
    }
  };

  beforeAll(async () => {
    testDb = await createTestDb();
    db = testDb.db;
    await migrateAll(db, { engine: false });
    await seedDepartments(db);
    for (let i = 0; i < 160; i++) ids.push(await seedCase(db));
  });
  afterAll(() => testDb.destroy());

  test('every case changed since the last fold (nothing folded yet)', async () => {
    const effect = await computeReformEffect(db);
    expect(effect.filter((r) => r.cases > 0).length).toBeGreaterThan(3);
    expect(
      effect.some(
        (r) => (r.measured?.handoffs ?? 0) > 0 && (r.measured?.steps ?? 0) > 0 && (r.measured?.visits ?? 0) > 0,
      ),
    ).toBe(true);
    expect(effect.some((r) => (r.measured?.days ?? 0) > 1)).toBe(true);
    await expectSame();
  });

  test('after a fold, and the folded figures equal a rebuild', async () => {
    await foldDashboardDaily(db);
    expect(Number((await db('dashboard_dirty').count({ n: '*' }))[0].n)).toBe(0);
    await expectSame();
    const folded = await db('dashboard_case')
      .orderBy('case_id')
      .select('case_id', 'steps', 'handoffs', 'visits', 'reported_ms', 'closing_ms');
    await rebuildDashboardDaily(db);
    expect(
      await db('dashboard_case')
        .orderBy('case_id')
        .select('case_id', 'steps', 'handoffs', 'visits', 'reported_ms', 'closing_ms'),
    ).toEqual(folded);
  });

  test('new events, a re-opened case, a closed one, a deleted event and case: exact before and after folding', async () => {
    const at = new Date('2026-06-01T10:00:00+08:00');
    await db('case_event').insert([
      { case_id: ids[0], at, type: 'returned', actor: 'clerk.market', department: 'market' },
      {
        case_id: ids[0],
        at,
        type: 'task.completed',
        actor: 'clerk.market',
        department: 'market',
        data: JSON.stringify({ elementId: 'recheck' }),
      },
      { case_id: ids[1], at, type: 'rated', actor: 'reporter' },
      { case_id: ids[2], at, type: 'closed', actor: 'system' },
    ]);
    await db('case').where({ id: ids[3] }).update({ status: 'handling' });
    await db('case').where({ id: ids[4] }).update({ status: 'closed' });
    const [ev] = await db('case_event').where({ case_id: ids[5] }).orderBy('id').limit(1).select('id');
    if (ev) await db('case_event').where({ id: ev.id }).delete();
    await db('case').where({ id: ids[6] }).delete();
    await expectSame();
    await foldDashboardDaily(db);
    await expectSame();
  });

  test('timelines outside the holiday data count plain weekdays, in SQL as in the replay, before and after folding', async () => {
    // given a case reported before the first year with data (2024) and one closed in a year after the last (2028)
    const before = await seedCase(db, { status: 'closed', scenario: 'fire-lane' }, false);
    const after = await seedCase(db, { status: 'closed', scenario: 'fire-lane' }, false);
    await db('case_event').insert([
      { case_id: before, at: new Date('2024-12-30T10:00:00+08:00'), type: 'reported', actor: 'reporter' },
      { case_id: before, at: new Date('2025-01-02T10:00:00+08:00'), type: 'closed', actor: 'system' },
      { case_id: after, at: new Date('2027-12-31T16:30:00+08:00'), type: 'reported', actor: 'reporter' },
      { case_id: after, at: new Date('2028-01-03T09:30:00+08:00'), type: 'closed', actor: 'system' },
    ]);
    // then both are measured (no error), and the SQL sums what the timeline replay sums
    await expectSame();
    await foldDashboardDaily(db);
    await expectSame();
    // Mon 2024-12-30 10:00 → Thu 2025-01-02 10:00: 30 Dec (6 h) and 31 Dec (7.5 h) counted as
    // weekdays, 1 Jan a holiday (2025 data), 2 Jan 1.5 h = 15 h; Fri 2027-12-31 16:30 → Mon 2028-01-03 09:30: 1 h + 1 h
    const events = await db('case_event').whereIn('case_id', [before, after]).orderBy(['case_id', 'id']);
    expect(measureCase(events.filter((e) => e.case_id === before))!.days).toBeCloseTo(15 / 7.5, 9);
    expect(measureCase(events.filter((e) => e.case_id === after))!.days).toBeCloseTo(2 / 7.5, 9);
    await db('case').whereIn('id', [before, after]).delete();
  });
});
