/**
 * Issue 7's access statements that the role × endpoint matrix (test/server/access-matrix.int.test.ts,
 * roles only) does not cover, on rows written straight into the tables:
 *
 * - clerks see and act on (claim, unclaim, complete) only their departments' tasks — another
 *   department's clerk gets 403 on each, the task stays as it was, and asking the inbox for another
 *   department is refused;
 * - a reporter sees only their own case: the case number with that case's phone, not another's;
 * - the reporter's phone is in full only for the assigned departments, masked for everyone else.
 */
import type { Knex } from 'knex';
import { startTestApp, type TestApp } from '../server/helpers/app';

async function seed(db: Knex) {
  const base = {
    status: 'handling',
    channel: 'web',
    description: '占道经营',
    collaborators: JSON.stringify(['street-kongpu']),
    created_at: new Date(),
  };
  await db('case').insert([
    {
      ...base,
      id: '30000000-0000-4000-8000-00000000000a',
      case_no: 'JB20261128-900001',
      lead_department: 'enforcement',
      reporter_phone: '13911112222',
    },
    {
      ...base,
      id: '30000000-0000-4000-8000-00000000000b',
      case_no: 'JB20261128-900002',
      lead_department: 'housing',
      reporter_phone: '13633334444',
      collaborators: '[]',
    },
  ]);
  const task = (id: string, caseId: string, department: string) => ({
    id,
    job_key: `job-${id.slice(-1)}`,
    process_instance_key: '1',
    element_instance_key: `ei-${id.slice(-1)}`,
    element_id: 'leadHandle',
    bpmn_process_id: 'case-handling',
    case_id: caseId,
    name: '牵头部门办理',
    candidate_groups: JSON.stringify([department]),
    department,
    state: 'created',
  });
  await db('task').insert([
    task('20000000-0000-4000-8000-00000000000a', '30000000-0000-4000-8000-00000000000a', 'enforcement'),
    task('20000000-0000-4000-8000-00000000000b', '30000000-0000-4000-8000-00000000000b', 'housing'),
  ]);
}

describe('department scope of tasks and cases; the reporter’s view; phone masking', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    await seed(app.testDb.db);
  });
  afterAll(() => app.close());

  test('a clerk sees and works only their own departments’ tasks', async () => {
    // given clerks of the lead department and of another one
    const enforcement = await app.loginAs('clerk.enforcement');
    const housing = await app.loginAs('clerk.housing');

    // when each lists their inbox
    const mine = (await enforcement.get('/api/tasks')).body.tasks.map((t: any) => t.id);
    const theirs = (await housing.get('/api/tasks')).body.tasks.map((t: any) => t.id);

    // then each sees their department's task only, and asking for another department is refused
    expect(mine).toContain('20000000-0000-4000-8000-00000000000a');
    expect(mine).not.toContain('20000000-0000-4000-8000-00000000000b');
    expect(theirs).toContain('20000000-0000-4000-8000-00000000000b');
    expect(theirs).not.toContain('20000000-0000-4000-8000-00000000000a');
    expect((await housing.get('/api/tasks?department=enforcement')).status).toBe(403);

    // when the other department's clerk opens, claims, unclaims or completes it: 403, nothing changes
    expect((await housing.get('/api/tasks/20000000-0000-4000-8000-00000000000a')).status).toBe(403);
    expect((await housing.post('/api/tasks/20000000-0000-4000-8000-00000000000a/claim')).status).toBe(403);
    expect((await housing.post('/api/tasks/20000000-0000-4000-8000-00000000000a/unclaim')).status).toBe(403);
    expect(
      (await housing.post('/api/tasks/20000000-0000-4000-8000-00000000000a/complete', { variables: {} })).status,
    ).toBe(403);
    expect(
      await app.testDb
        .db('task')
        .where({ id: '20000000-0000-4000-8000-00000000000a' })
        .first('state', 'assignee', 'completed_by'),
    ).toEqual({ state: 'created', assignee: null, completed_by: null });

    // and the lead department's clerk may claim it, and gets past the department check on complete
    // (without an engine in this app the completion itself answers 503, not 403)
    const claimed = await enforcement.post('/api/tasks/20000000-0000-4000-8000-00000000000a/claim');
    expect(claimed.status).toBe(200);
    expect(claimed.body.assignee).toBe('clerk.enforcement');
    expect(
      (await enforcement.post('/api/tasks/20000000-0000-4000-8000-00000000000a/complete', { variables: {} })).status,
    ).not.toBe(403);
  });

  test('a reporter sees only their own case: its number together with its phone', async () => {
    const anon = app.client();
    const own = await anon.get('/api/cases/JB20261128-900001?phone=13911112222');
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ view: 'reporter', caseNo: 'JB20261128-900001' });
    expect(own.body.reporter.phone).toBe('139****2222');
    // another case's number with my phone, my number with another's phone, no phone: nothing
    expect((await anon.get('/api/cases/JB20261128-900002?phone=13911112222')).status).toBe(404);
    expect((await anon.get('/api/cases/JB20261128-900001?phone=13633334444')).status).toBe(404);
    expect((await anon.get('/api/cases/JB20261128-900001')).status).toBe(401);
    // and no listing or search for the public
    expect((await anon.get('/api/cases?q=JB20261128')).status).toBe(401);
  });

  test('the phone is masked in every view, the assigned departments’ included (unmasked only with a reason)', async () => {
    const view = async (user: string) => (await app.loginAs(user)).get('/api/cases/JB20261128-900001');
    expect((await view('clerk.enforcement')).body.reporter.phone).toBe('139****2222'); // lead
    expect((await view('clerk.street-kongpu')).body.reporter.phone).toBe('139****2222'); // collaborator
    for (const user of ['supervisor', 'admin']) expect((await view(user)).body.reporter.phone).toBe('139****2222');
    expect((await view('clerk.housing')).status).toBe(403); // not involved: no view at all
    // in the task detail as well
    const detail = await (
      await app.loginAs('clerk.enforcement')
    ).get('/api/tasks/20000000-0000-4000-8000-00000000000a');
    expect(detail.body.case.reporter.phone).toBe('139****2222');
    const supervised = await (await app.loginAs('supervisor')).get('/api/tasks/20000000-0000-4000-8000-00000000000a');
    expect(supervised.body.case.reporter.phone).toBe('139****2222');
  });
});
