/**
 * Dashboard figures on a small hand-made dataset with exact expected numbers: the three rates,
 * overview, SLA per department and stage, warning lists, rankings, heatmap, time series, fire lane,
 * CSV export and the drill-down to the cases behind a figure.
 */
import type { Knex } from 'knex';
import { startTestApp, type TestApp, type TestClient } from '../server/helpers/app';

const at = (day: string, time = '10:00') => new Date(`${day}T${time}:00+08:00`);
const NOV = `from=${encodeURIComponent('2026-11-01T00:00:00+08:00')}&to=${encodeURIComponent('2026-12-01T00:00:00+08:00')}`;

let n = 0;
async function seedCase(db: Knex, c: Record<string, unknown>): Promise<string> {
  const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  await db('case').insert({
    id,
    case_no: `JB20261101-${String(n).padStart(6, '0')}`,
    description: `案件 ${n}`,
    channel: 'web',
    status: 'handling',
    light: 'green',
    ...c,
  });
  return id;
}

async function seedClock(db: Knex, caseId: string, k: Record<string, unknown>) {
  await db('sla_clock').insert({
    sla_key: `sla:${caseId}:${k.step}`,
    case_id: caseId,
    process_instance_key: '1',
    working_hours: 8,
    warn_at: k.due_at,
    state: 'stopped',
    light: 'green',
    ...k,
  });
}

let t = 0;
async function seedTask(db: Knex, caseId: string, k: Record<string, unknown>) {
  t += 1;
  await db('task').insert({
    id: `10000000-0000-4000-8000-${String(t).padStart(12, '0')}`,
    job_key: String(9000 + t),
    process_instance_key: '1',
    element_instance_key: String(t),
    case_id: caseId,
    name: String(k.element_id),
    candidate_groups: JSON.stringify([k.department]),
    ...k,
  });
}

describe('dashboard figures', () => {
  let app: TestApp;
  let supervisor: TestClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    app = await startTestApp();
    const db = app.testDb.db;
    // given seven cases of November (and one of October closed in November)
    ids.A = await seedCase(db, {
      lead_department: 'housing',
      scenario: 'housing-quality',
      created_at: at('2026-11-02'),
      status: 'closed',
      closed_at: at('2026-11-05'),
      response_met: true,
      rating_satisfied: true,
      rated_at: at('2026-11-06'),
    });
    ids.B = await seedCase(db, {
      lead_department: 'housing',
      scenario: 'housing-quality',
      channel: 'hotline',
      created_at: at('2026-11-03'),
      status: 'closed',
      closed_at: at('2026-11-10'),
      response_met: false,
      rating_satisfied: false,
      rated_at: at('2026-11-11'),
    });
    ids.C = await seedCase(db, {
      lead_department: 'enforcement',
      created_at: at('2026-11-04'),
      status: 'closed',
      closed_at: at('2026-11-06'),
      response_met: true,
    });
    ids.D = await seedCase(db, {
      lead_department: 'enforcement',
      created_at: at('2026-11-20'),
      status: 'handling',
      light: 'red',
      escalation_level: 1,
    });
    ids.E = await seedCase(db, {
      lead_department: 'enforcement',
      created_at: at('2026-10-20'),
      status: 'closed',
      closed_at: at('2026-11-02'),
      response_met: true,
      rating_satisfied: true,
      rated_at: at('2026-11-03'),
    });
    ids.F = await seedCase(db, { lead_department: 'housing', created_at: at('2026-11-25'), status: 'merged' });
    ids.G = await seedCase(db, {
      lead_department: 'housing',
      scenario: 'housing-quality',
      created_at: at('2026-11-26'),
      status: 'dispatching',
      light: 'yellow',
      response_met: true,
    });
    // SLA clocks: B's step breached (red card), E's stopped in October, D red and G yellow still running
    await seedClock(db, ids.A, {
      bpmn_process_id: 'housing-quality',
      step: 'assess',
      department: 'housing',
      started_at: at('2026-11-02'),
      due_at: at('2026-11-04'),
      stopped_at: at('2026-11-03'),
    });
    await seedClock(db, ids.B, {
      bpmn_process_id: 'housing-quality',
      step: 'assess',
      department: 'housing',
      started_at: at('2026-11-03'),
      due_at: at('2026-11-05'),
      red_at: at('2026-11-05'),
      light: 'red',
      stopped_at: at('2026-11-09'),
    });
    await seedClock(db, ids.C, {
      bpmn_process_id: 'case-handling',
      step: 'leadHandle',
      department: 'enforcement',
      started_at: at('2026-11-04'),
      due_at: at('2026-11-06'),
      stopped_at: at('2026-11-05'),
    });
    await seedClock(db, ids.D, {
      bpmn_process_id: 'case-handling',
      step: 'leadHandle',
      department: 'enforcement',
      started_at: at('2026-11-20'),
      due_at: at('2026-11-21'),
      red_at: at('2026-11-21'),
      light: 'red',
      state: 'running',
    });
    await seedClock(db, ids.E, {
      bpmn_process_id: 'case-handling',
      step: 'leadHandle',
      department: 'enforcement',
      started_at: at('2026-10-20'),
      due_at: at('2026-11-02'),
      stopped_at: at('2026-10-30'),
    });
    await seedClock(db, ids.G, {
      bpmn_process_id: 'housing-quality',
      step: 'assess',
      department: 'housing',
      started_at: at('2026-11-26'),
      due_at: at('2026-12-08'),
      light: 'yellow',
      state: 'running',
    });
    // tasks behind the heatmap and the warning lists
    await seedTask(db, ids.A, {
      bpmn_process_id: 'housing-quality',
      element_id: 'assess',
      department: 'housing',
      state: 'completed',
      created_at: at('2026-11-02'),
    });
    await seedTask(db, ids.B, {
      bpmn_process_id: 'housing-quality',
      element_id: 'assess',
      department: 'housing',
      state: 'completed',
      created_at: at('2026-11-03'),
    });
    await seedTask(db, ids.G, {
      bpmn_process_id: 'housing-quality',
      element_id: 'assess',
      department: 'housing',
      state: 'created',
      light: 'yellow',
      due_at: at('2026-12-08'),
      created_at: at('2026-11-26'),
    });
    await seedTask(db, ids.C, {
      bpmn_process_id: 'case-handling',
      element_id: 'leadHandle',
      department: 'enforcement',
      state: 'completed',
      created_at: at('2026-11-04'),
    });
    await seedTask(db, ids.D, {
      bpmn_process_id: 'case-handling',
      element_id: 'leadHandle',
      department: 'enforcement',
      state: 'created',
      light: 'red',
      due_at: at('2026-11-21'),
      created_at: at('2026-11-20'),
    });
    await seedTask(db, ids.D, {
      bpmn_process_id: 'case-handling',
      element_id: 'collaborate',
      department: 'street-kongpu',
      state: 'cancelled',
      created_at: at('2026-11-20'),
    });
    await db('deployed_user_task').insert([
      { bpmn_process_id: 'case-handling', version: 1, element_id: 'leadHandle', name: '牵头部门办理' },
      { bpmn_process_id: 'case-handling', version: 1, element_id: 'collaborate', name: '协办' },
    ]);
    // a December fire-lane case: two detections, the notice 4 s after the first, a reminder, cleared within grace
    ids.H = await seedCase(db, {
      scenario: 'fire-lane',
      channel: 'device',
      created_at: at('2026-12-02'),
      status: 'closed',
      closed_at: at('2026-12-02', '10:20'),
    });
    await db('device_event').insert([
      {
        device_id: 'cam-1',
        type: 'fire-lane.occupied',
        lane_id: 'L1',
        plate: '浙B10001',
        detected_at: at('2026-12-02', '10:00'),
        case_id: ids.H,
        status: 'processed',
      },
      {
        device_id: 'cam-1',
        type: 'fire-lane.occupied',
        lane_id: 'L1',
        plate: '浙B10001',
        detected_at: at('2026-12-02', '10:05'),
        case_id: ids.H,
        status: 'processed',
      },
      {
        device_id: 'cam-1',
        type: 'fire-lane.cleared',
        lane_id: 'L1',
        plate: '浙B10001',
        detected_at: at('2026-12-02', '10:20'),
        case_id: ids.H,
        status: 'processed',
      },
    ]);
    const sms = (key: string, sentAt: Date) => ({
      idempotency_key: key,
      case_id: ids.H,
      to_phone: '13800000009',
      template: 'fire-lane.notice',
      text: 'x',
      status: 'sent',
      local_day: '2026-12-02',
      queued_at: sentAt,
      sent_at: sentAt,
    });
    await db('notification').insert([
      sms(`${ids.H}:notice`, new Date(at('2026-12-02', '10:00').getTime() + 4000)),
      sms(`${ids.H}:warning`, at('2026-12-02', '10:15')),
    ]);
    await db('case_event').insert([
      { case_id: ids.H, at: at('2026-12-02', '10:20'), type: 'lane-cleared' },
      { case_id: ids.H, at: at('2026-12-02', '10:20'), type: 'fire-lane.cleared' },
    ]);
    supervisor = await app.loginAs('supervisor');
  });
  afterAll(() => app.close());

  test('the three rates over November, with drill-downs to the cases behind them', async () => {
    // when
    const r = (await supervisor.get(`/api/dashboard/rates?${NOV}`)).body;

    // then: response 3 of 5 dispatched Nov cases (merged F and October E left out), resolution 3 of 4 closed in Nov (B breached), satisfaction 2 of 3 rated
    expect([r.response.met, r.response.total, r.response.rate]).toEqual([3, 5, 60]);
    expect([r.resolution.met, r.resolution.total, r.resolution.rate]).toEqual([3, 4, 75]);
    expect([r.satisfaction.met, r.satisfaction.total, r.satisfaction.rate]).toEqual([2, 3, 66.7]);
    const cases = async (link: string) => (await supervisor.get(link)).body.cases.map((c: any) => c.id).sort();
    expect(await cases(r.response.drillDown)).toEqual([ids.B, ids.D].sort());
    expect(await cases(r.resolution.drillDown)).toEqual([ids.B]);
    expect(await cases(r.satisfaction.drillDown)).toEqual([ids.B]);
    // scoped to one department
    const housing = (await supervisor.get(`/api/dashboard/rates?${NOV}&department=housing`)).body;
    expect([housing.resolution.met, housing.resolution.total]).toEqual([1, 2]);
  });

  test('overview: created, closed, open now, by channel and status', async () => {
    const o = (await supervisor.get(`/api/dashboard/overview?${NOV}`)).body;
    expect(o.created.cases).toBe(6);
    expect(o.closed.cases).toBe(4);
    expect(o.open).toMatchObject({ cases: 2, dueSoon: 1, overdue: 1, escalated: 1 });
    expect(o.byChannel).toEqual([
      { key: 'web', cases: 5 },
      { key: 'hotline', cases: 1 },
    ]);
    expect(o.byStatus).toEqual([
      { key: 'closed', cases: 3 },
      { key: 'dispatching', cases: 1 },
      { key: 'handling', cases: 1 },
      { key: 'merged', cases: 1 },
    ]);
    expect(o.byScenario).toEqual([
      { key: 'generic', cases: 3 },
      { key: 'housing-quality', cases: 3 },
    ]);
    expect((await supervisor.get(o.open.drillDown)).body.total).toBe(2);
    expect((await supervisor.get(o.closed.drillDown)).body.total).toBe(o.closed.cases);
  });

  test('SLA per department and per stage; warning lists', async () => {
    const byDept = (await supervisor.get(`/api/dashboard/sla?${NOV}`)).body.rows;
    expect(byDept).toEqual([
      { key: 'enforcement', open: 1, dueSoon: 0, overdue: 1, suspended: 0, stopped: 1, met: 1, compliance: 100 },
      { key: 'housing', open: 1, dueSoon: 1, overdue: 0, suspended: 0, stopped: 2, met: 1, compliance: 50 },
    ]);
    const byStage = (await supervisor.get(`/api/dashboard/sla?${NOV}&groupBy=stage`)).body.rows;
    expect(byStage.map((r: any) => [r.process, r.step, r.open, r.stopped])).toEqual([
      ['case-handling', 'leadHandle', 1, 1],
      ['housing-quality', 'assess', 1, 2],
    ]);
    const red = (await supervisor.get('/api/dashboard/warnings?light=red')).body.tasks;
    expect(red.map((x: any) => [x.caseId, x.elementId, x.department])).toEqual([[ids.D, 'leadHandle', 'enforcement']]);
    expect(red[0].overdueMinutes).toBeGreaterThan(0);
    const yellow = (await supervisor.get('/api/dashboard/warnings?light=yellow')).body.tasks;
    expect(yellow.map((x: any) => x.caseId)).toEqual([ids.G]);
  });

  test('rankings by resolution rate', async () => {
    const rows = (await supervisor.get(`/api/dashboard/rankings?${NOV}`)).body.rows;
    expect(
      rows.map((r: any) => [
        r.rank,
        r.department,
        r.cases,
        r.closed,
        r.open,
        r.overdue,
        r.responseRate,
        r.resolutionRate,
        r.satisfactionRate,
      ]),
    ).toEqual([
      [1, 'enforcement', 2, 2, 1, 1, 50, 100, 100],
      [2, 'housing', 3, 2, 1, 0, 66.7, 50, 50],
    ]);
  });

  test('heatmap counts per element from the task and SLA tables', async () => {
    const h = (await supervisor.get(`/api/dashboard/heatmap?${NOV}&processId=case-handling&version=1`)).body;
    expect(h.elements).toEqual([
      { elementId: 'collaborate', name: '协办', active: 0, completed: 0, cancelled: 1, overdue: 0, overdueOpen: 0 },
      {
        elementId: 'leadHandle',
        name: '牵头部门办理',
        active: 1,
        completed: 1,
        cancelled: 0,
        overdue: 1,
        overdueOpen: 1,
      },
    ]);
    const housing = (await supervisor.get(`/api/dashboard/heatmap?${NOV}&processId=housing-quality`)).body;
    expect(housing.elements).toEqual([
      { elementId: 'assess', name: null, active: 1, completed: 2, cancelled: 0, overdue: 1, overdueOpen: 0 },
    ]);
  });

  test('time series per Shanghai day; fire-lane figures; CSV export', async () => {
    const s = (await supervisor.get(`/api/dashboard/timeseries?${NOV}&metric=created&interval=day`)).body;
    expect(s.points).toEqual(
      ['02', '03', '04', '20', '25', '26'].map((d) => ({ bucket: `2026-11-${d}T00:00:00+08:00`, value: 1 })),
    );
    const closedWeekly = (await supervisor.get(`/api/dashboard/timeseries?${NOV}&metric=closed&interval=month`)).body;
    expect(closedWeekly.points).toEqual([{ bucket: '2026-11-01T00:00:00+08:00', value: 4 }]);

    const dec = `from=${encodeURIComponent('2026-12-01T00:00:00+08:00')}&to=${encodeURIComponent('2026-12-31T00:00:00+08:00')}`;
    const f = (await supervisor.get(`/api/dashboard/fire-lane?${dec}`)).body;
    expect(f).toMatchObject({
      detections: 2,
      cases: 1,
      smsSent: 2,
      smsQueued: 2,
      leftInGrace: 1,
      onSite: 0,
      detectionToSmsMs: { p50: 4000, p95: 4000 },
      detectionToClearedMs: { p50: 20 * 60_000 },
    });

    const csv = await supervisor.get(`/api/dashboard/rates?${NOV}&format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(
      csv.text
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\n'),
    ).toEqual(['rate,met,total,percent', 'response,3,5,60', 'resolution,3,4,75', 'satisfaction,2,3,66.7']);
    const rankingCsv = await supervisor.get(`/api/dashboard/rankings?${NOV}&format=csv`);
    expect(rankingCsv.text.split('\n')[1]).toMatch(/^1,enforcement,/);
    const reform = await supervisor.get(`/api/dashboard/reform-effect?${NOV}`);
    expect(reform.status).toBe(200);
    expect(reform.body.scenarios.length).toBeGreaterThan(0);
  });

  test('only supervisors and admins read the dashboard', async () => {
    expect((await (await app.loginAs('clerk.housing')).get('/api/dashboard/rates')).status).toBe(403);
    expect((await (await app.loginAs('admin')).get('/api/dashboard/rates')).status).toBe(200);
  });
});
