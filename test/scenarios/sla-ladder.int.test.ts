import { decideExtension, requestExtension } from '../../domain/tasks/extension-service';
import { piiKeyring } from '../../domain/privacy/pii-crypto';
import { resumeCase, suspendCase } from '../../domain/cases/case-service';
import { sweepCancelledTasks } from '../../domain/tasks/task-service';
import { startHarness, type Harness } from './harness';

/**
 * The SLA ladder on the engine clock: yellow card → red card + 督办 → 提级; extension and suspension
 * move the running task's due date; a re-delivered user-task job never duplicates its task.
 * The lead step of 流动摊贩占道经营 has 24 working hours (3 working days); yellow at 80 %.
 */
describe('SLA ladder, extension, suspension (sla-clock)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.db('department_contact').insert([
      { department: 'enforcement', role: 'head', name: '执法局长', phone: '13900000001' },
      { department: 'enforcement', role: 'duty', name: '执法值班', phone: '13900000002' },
      { department: 'enforcement', role: 'staff', username: 'clerk.enforcement', name: '张三', phone: '13900000003' },
      { department: 'government-office', role: 'head', name: '政府办主任', phone: '13900000009' },
    ]);
  });
  afterAll(() => h.stop());

  const startCase = async () => {
    const c = await h.newCase('小区门口每天有流动摊贩摆摊叫卖卖菜，三轮车占道影响通行');
    const pi = await h.startIntake(c.id);
    const task = await h.openTask('leadHandle', { case_id: c.id });
    return { c, pi, task };
  };

  test('yellow card → red card + 督办 → 提级 to the government office', async () => {
    // given a claimed lead task: 24 working hours (7.5 a day) from Tue 09:00 → due Fri 10:30, yellow (80 %) Thu 14:42
    const { c, task } = await startCase();
    await h.db('task').where({ id: task.id }).update({ assignee: 'clerk.enforcement' });
    expect(new Date(task.due_at).toISOString()).toBe(new Date('2026-12-04T10:30:00+08:00').toISOString());

    // when the warning time passes
    await h.at(Date.parse('2026-12-03T15:00:00+08:00'));
    // then: yellow card on case and task, SMS to the assignee and the head
    expect((await h.db('case').where({ id: c.id }).first()).light).toBe('yellow');
    expect((await h.db('task').where({ id: task.id }).first()).light).toBe('yellow');
    const yellow = await h.db('notification').where({ case_id: c.id, template: 'staff.yellow-card' });
    expect(yellow.map((n: any) => piiKeyring().decrypt(n.to_phone)).sort()).toEqual(['13900000001', '13900000003']);

    // when the due date passes
    await h.at(Date.parse('2026-12-04T11:00:00+08:00'));
    // then: red card, 督办 task for the mediation centre
    const caseRow = await h.db('case').where({ id: c.id }).first();
    expect(caseRow.light).toBe('red');
    expect(caseRow.escalation_level).toBe(1);
    const supervise = await h.openTask('supervise', { case_id: c.id });
    expect(supervise.department).toBe('mediation-center');
    expect(supervise.form_schema.id).toBe('sla-supervise');
    expect(await h.db('notification').where({ case_id: c.id, template: 'staff.red-card' })).toHaveLength(2);
    await h.complete('supervise', { supervisionComment: '请立即处置并反馈' }, { case_id: c.id }, 'supervisor');

    // when still overdue 8 working hours later (Fri 11:00 → Mon 11:30)
    await h.at(Date.parse('2026-12-07T11:30:00+08:00'));
    // then: 提级 to the government office
    expect((await h.db('case').where({ id: c.id }).first()).escalation_level).toBe(2);
    const elevated = await h.openTask('elevated', { case_id: c.id });
    expect(elevated.department).toBe('government-office');
    expect(await h.db('notification').where({ case_id: c.id, template: 'supervision.notice' })).toHaveLength(1);
    const types = (await h.events(c.id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['sla.yellow-card', 'sla.red-card', 'sla.escalated']));

    // when the lead department finally completes: the clock stops and its 提级 task is cancelled
    await h.complete('leadHandle', { handlingOutcome: 'handled' }, { case_id: c.id }, 'clerk.enforcement');
    const after = await h.db('task').where({ id: elevated.id }).first();
    expect(after.state).toBe('cancelled');
    const stopped = (await h.events(c.id)).find((e) => e.type === 'sla.stopped');
    expect(stopped?.data.met).toBe(false);
  });

  test('an approved extension moves the running task’s due date and the red card with it', async () => {
    await h.at(Date.parse('2026-12-08T09:00:00+08:00')); // Tuesday
    const { c, pi, task } = await startCase();
    const due = new Date(task.due_at).getTime();

    // when the clerk asks for 8 more working hours and a supervisor approves
    const req = await requestExtension(
      h.db,
      task.id,
      'clerk.enforcement',
      8,
      '需要等待街道联合执法',
      new Date(h.te.now()),
    );
    expect(req.ok).toBe(true);
    const ok = await decideExtension(
      h.db,
      h.zbc,
      (req as any).value.extensionId,
      'supervisor',
      true,
      null,
      new Date(h.te.now()),
    );
    expect(ok.ok).toBe(true);
    await h.drive();

    // then the same task (same job) shows the new due date, one working day later
    const moved = await h.db('task').where({ id: task.id }).first();
    expect(moved.job_key).toBe(task.job_key);
    expect(new Date(moved.due_at).toISOString()).toBe(new Date('2026-12-14T11:00:00+08:00').toISOString()); // Fri 10:30 + 8 wh
    // and at the old due date nothing turns red (the warning moved too: Fri 15:12)
    await h.at(due + 30 * 60_000);
    expect((await h.db('case').where({ id: c.id }).first()).light).toBe('green');
    expect(await h.openTasks('supervise', { case_id: c.id })).toHaveLength(0);
    // at the new one it does
    await h.at(Date.parse('2026-12-14T11:30:00+08:00'));
    expect((await h.db('case').where({ id: c.id }).first()).light).toBe('red');
    await h.openTask('supervise', { case_id: c.id });
    await h.te.isActive(pi);
  });

  test('suspension stops the clock while waiting for the reporter; resuming keeps the remaining budget', async () => {
    await h.at(Date.parse('2026-12-15T09:00:00+08:00')); // Tuesday
    const { c, task } = await startCase();
    expect(new Date(task.due_at).toISOString()).toBe(new Date('2026-12-18T10:30:00+08:00').toISOString());

    // when suspended after 2 working hours, until the next Monday
    await h.at(Date.parse('2026-12-15T11:00:00+08:00'));
    const s = await suspendCase(h.db, h.zbc, c.id, 'clerk.enforcement', '等待群众补充照片', new Date(h.te.now()));
    expect(s.ok).toBe(true);
    await h.drive();
    expect((await h.db('case').where({ id: c.id }).first()).status).toBe('suspended');
    // no card while suspended, even past the old due date
    await h.at(Date.parse('2026-12-21T11:00:00+08:00'));
    expect((await h.db('case').where({ id: c.id }).first()).light).toBe('green');
    const r = await resumeCase(h.db, h.zbc, c.id, 'clerk.enforcement', new Date(h.te.now()));
    expect(r.ok).toBe(true);
    await h.drive();

    // then 22 working hours remain from Mon 11:00 → Thu 10:30
    const resumed = await h.db('task').where({ id: task.id }).first();
    expect(new Date(resumed.due_at).toISOString()).toBe(new Date('2026-12-24T10:30:00+08:00').toISOString());
    expect((await h.db('case').where({ id: c.id }).first()).status).toBe('handling');
    const types = (await h.events(c.id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['sla.suspended', 'sla.resumed']));
  });

  test('a user-task job that times out and is delivered again reuses its task row', async () => {
    await h.at(Date.parse('2026-12-28T09:00:00+08:00'));
    const c = await h.newCase('小区门口每天有流动摊贩摆摊叫卖卖菜，三轮车占道影响通行');
    await h.startIntake(c.id);
    const first = await h.openTask('leadHandle', { case_id: c.id });
    // given the engine lost track of the worker: fail the job back without a retry decrement
    await h.zbc.failJob({ jobKey: first.job_key, errorMessage: 'worker restarted', retries: 1, retryBackOff: 0 });
    // when it is delivered again
    const counts = await h.drive();
    expect(counts['io.camunda.zeebe:userTask']).toBe(1);
    // then the same single row
    const rows = await h.db('task').where({ case_id: c.id, element_id: 'leadHandle' });
    expect(rows).toHaveLength(1);
    expect(rows[0].id).toBe(first.id);
    expect(
      (await h.events(c.id)).filter((e) => e.type === 'task.created' && e.data.elementId === 'leadHandle'),
    ).toHaveLength(1);
    // and the sweeper finds the job alive
    expect((await sweepCancelledTasks(h.db, h.zbc, new Date(h.te.now()))).cancelled).toBe(0);
  });
});
