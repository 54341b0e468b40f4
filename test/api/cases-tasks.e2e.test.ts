/**
 * The closed loop over HTTP: a citizen reports → case-intake runs on the embedded engine → the task
 * lands in the lead department's inbox (and nobody else's) → the clerk claims and completes it
 * (form errors listed per field) → collaborators answer → reply → the reporter tracks and rates it.
 * Plus masking, 409 on a task whose job the process cancelled, and the clerks' case actions.
 */
import { startApiPlatform, type ApiPlatform } from './helpers';

const STALLS = '小区门口每天有流动摊贩摆摊叫卖卖菜，三轮车占道影响通行';
const PHONE = '13912345678';

describe('cases and tasks over HTTP', () => {
  let p: ApiPlatform;
  beforeAll(async () => {
    p = await startApiPlatform();
  }, 60_000);
  afterAll(() => p.stop());

  /** Reports anonymously and runs the one window until it waits for people. */
  async function report(description = STALLS, phone = PHONE) {
    const res = await p.anonymous().post('/api/cases', {
      description,
      reporter: { name: '王先生', phone },
      location: { address: '江北区孔浦街道某小区' },
    });
    expect(res.status).toBe(201);
    await p.h.drive();
    return res.body as { id: string; caseNo: string; status: string; trackingUrl: string };
  }

  async function inboxOf(username: string, query = '') {
    const res = await (await p.as(username)).get(`/api/tasks${query}`);
    expect(res.status).toBe(200);
    return res.body.tasks as any[];
  }

  async function openTaskOf(username: string, caseId: string, elementId: string) {
    const task = (await inboxOf(username, `?caseId=${caseId}`)).find((t) => t.elementId === elementId);
    if (!task) throw new Error(`Expected ${username} to see an open ${elementId} of case ${caseId}`);
    return task;
  }

  async function completeAs(username: string, taskId: string, variables: Record<string, unknown>) {
    const res = await (await p.as(username)).post(`/api/tasks/${taskId}/complete`, { variables });
    expect(res.status).toBe(200);
    await p.h.drive();
    return res;
  }

  test('intake → inbox of the right department → claim → form validation → complete → reply → track → rate', async () => {
    // given a citizen reports a problem the catalog places with enforcement
    const filed = await report();
    expect(filed.caseNo).toMatch(/^JB\d{8}-\d{6}$/);
    expect(filed.trackingUrl).toContain(filed.caseNo);

    // then the case-intake instance really runs: the lead task is in enforcement's inbox, not housing's
    const lead = await openTaskOf('clerk.enforcement', filed.id, 'leadHandle');
    expect(lead).toMatchObject({
      caseNo: filed.caseNo,
      department: 'enforcement',
      assignee: null,
      state: 'created',
      name: '牵头部门办理',
    });
    expect((await inboxOf('clerk.housing')).some((t) => t.caseId === filed.id)).toBe(false);
    expect((await inboxOf('clerk.enforcement', '?unassigned=true')).some((t) => t.id === lead.id)).toBe(true);

    // and the task page has the form, the case (phone in full for the lead department) and the timeline
    const enforcement = await p.as('clerk.enforcement');
    const detail = (await enforcement.get(`/api/tasks/${lead.id}`)).body;
    expect(detail.formSchema.id).toBe('case-lead');
    expect(detail.case.reporter.phone).toBe('139****5678'); // masked: unmasked only with a reason (GET …/reporter)
    expect(detail.timeline.map((e: any) => e.type)).toEqual(
      expect.arrayContaining(['reported', 'accepted', 'dispatched', 'task.created']),
    );
    // another department's clerk may not open it
    expect((await (await p.as('clerk.housing')).get(`/api/tasks/${lead.id}`)).status).toBe(403);

    // when the clerk claims it
    const claimed = await enforcement.post(`/api/tasks/${lead.id}/claim`);
    expect(claimed.status).toBe(200);
    expect(claimed.body.assignee).toBe('clerk.enforcement');
    expect((await inboxOf('clerk.enforcement', '?assignee=me')).map((t) => t.id)).toContain(lead.id);

    // and submits an incomplete or mistyped form
    const missing = await enforcement.post(`/api/tasks/${lead.id}/complete`, {
      variables: { handlingOutcome: 'returned' },
    });
    const mistyped = await enforcement.post(`/api/tasks/${lead.id}/complete`, {
      variables: { handlingOutcome: 'later', leadOpinion: 42 },
    });

    // then each answer lists the offending fields, and nothing moved
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { field: 'variables.returnReason', message: expect.stringContaining('required') },
    ]);
    expect(mistyped.status).toBe(400);
    expect(mistyped.body.errors.map((e: any) => e.field).sort()).toEqual([
      'variables.handlingOutcome',
      'variables.leadOpinion',
    ]);
    expect((await enforcement.get(`/api/tasks/${lead.id}`)).body.state).toBe('created');

    // when the lead handles it, the collaborating street answers and the lead consolidates and replies
    await completeAs('clerk.enforcement', lead.id, {
      handlingOutcome: 'handled',
      leadOpinion: '已安排执法队员现场劝离',
    });
    const collab = await openTaskOf('clerk.street-kongpu', filed.id, 'collaborate');
    await completeAs('clerk.street-kongpu', collab.id, { collabOpinion: '街道已落实网格员巡查' });
    await completeAs('clerk.enforcement', (await openTaskOf('clerk.enforcement', filed.id, 'consolidate')).id, {
      handlingResult: '已劝离摊贩并落实长效巡查',
    });
    const replyTask = await openTaskOf('clerk.enforcement', filed.id, 'replyReporter');
    expect(
      (await enforcement.get(`/api/tasks/${replyTask.id}`)).body.earlierAnswers.map((a: any) => a.elementId),
    ).toEqual(['leadHandle', 'collaborate', 'consolidate']);
    await completeAs('clerk.enforcement', replyTask.id, { replyText: '您反映的问题已处理，执法队员已劝离摊贩。' });

    // then the reporter tracks the closed case with their phone (and only with it)
    const anon = p.anonymous();
    expect((await anon.get(`/api/cases/${filed.caseNo}`)).status).toBe(401);
    expect((await anon.get(`/api/cases/${filed.caseNo}?phone=13900000000`)).status).toBe(404);
    const tracked = await anon.get(`/api/cases/${filed.caseNo}?phone=${PHONE}`);
    expect(tracked.status).toBe(200);
    expect(tracked.body).toMatchObject({
      view: 'reporter',
      status: 'closed',
      reply: expect.stringContaining('劝离'),
      tasks: [],
      notifications: [],
    });
    expect(tracked.body.classification).toMatchObject({
      leadDepartment: 'enforcement',
      collaborators: ['street-kongpu'],
    });
    expect(tracked.body.reporter.phone).toBe('139****5678');
    expect(tracked.body.timeline.every((e: any) => ['reporter', 'system', 'staff', 'device'].includes(e.actor))).toBe(
      true,
    );

    // when the reporter rates it
    const rated = await anon.post(`/api/cases/${filed.caseNo}/rating`, {
      satisfied: true,
      comment: '处理及时',
      phone: PHONE,
    });
    expect(rated.status).toBe(200);
    await p.h.drive();

    // then every state change is in the staff timeline with who and when, and the instance is done
    const view = (await enforcement.get(`/api/cases/${filed.id}`)).body;
    expect(view.rating).toMatchObject({ satisfied: true, comment: '处理及时' });
    const byType = (type: string) => view.timeline.filter((e: any) => e.type === type);
    expect(byType('task.claimed')[0]).toMatchObject({
      actor: 'clerk.enforcement',
      department: 'enforcement',
      at: expect.any(String),
    });
    expect(byType('task.completed').map((e: any) => e.actor)).toEqual([
      'clerk.enforcement',
      'clerk.street-kongpu',
      'clerk.enforcement',
      'clerk.enforcement',
    ]);
    expect(byType('rated')[0].actor).toBe('reporter');
    for (const t of ['reported', 'accepted', 'dispatched', 'replied', 'closed'])
      expect(byType(t).length).toBeGreaterThan(0);
    expect(view.response).toEqual({ respondedAt: expect.any(String), met: true });
    expect(view.notifications.map((n: any) => n.to)).toEqual(['139****5678', '139****5678']);
    await p.h.te.isCompleted((await p.h.db('case').where({ id: filed.id }).first()).process_instance_key);
  });

  test('the reporter’s phone is masked in every view; the assigned departments unmask it with a reason; others cannot', async () => {
    // given a case dispatched to enforcement with street-kongpu collaborating
    const filed = await report(STALLS, '13700001111');

    // when different staff open it
    const lead = await (await p.as('clerk.enforcement')).get(`/api/cases/${filed.caseNo}`);
    const collaborator = await (await p.as('clerk.street-kongpu')).get(`/api/cases/${filed.caseNo}`);
    const supervisor = await (await p.as('supervisor')).get(`/api/cases/${filed.caseNo}`);
    const admin = await (await p.as('admin')).get(`/api/cases/${filed.caseNo}`);
    const window = await (await p.as('clerk.mediation-center')).get(`/api/cases/${filed.caseNo}`);
    const housing = await (await p.as('clerk.housing')).get(`/api/cases/${filed.caseNo}`);

    // then
    expect(lead.body.reporter.phone).toBe('137****1111');
    expect(collaborator.body.reporter.phone).toBe('137****1111');
    expect(supervisor.body.reporter.phone).toBe('137****1111');
    expect(admin.body.reporter.phone).toBe('137****1111');
    expect(window.body.reporter.phone).toBe('137****1111');
    expect(housing.status).toBe(403);
    // and with a reason the assigned departments (and supervisors) get it in full; the one window and other departments do not
    const why = `?reason=${encodeURIComponent('回访核实')}`;
    for (const who of ['clerk.enforcement', 'clerk.street-kongpu', 'supervisor'])
      expect((await (await p.as(who)).get(`/api/cases/${filed.caseNo}/reporter${why}`)).body.phone).toBe('13700001111');
    for (const who of ['clerk.mediation-center', 'clerk.housing'])
      expect((await (await p.as(who)).get(`/api/cases/${filed.caseNo}/reporter${why}`)).status).toBe(403);
    // the SMS outbox is masked for everyone
    const sms = await (await p.as('clerk.enforcement')).get(`/api/notifications?caseId=${filed.id}`);
    expect(sms.body.notifications.length).toBeGreaterThan(0);
    expect(sms.body.notifications.every((n: any) => n.to === '137****1111' && !n.text.includes('13700001111'))).toBe(
      true,
    );
    // and the staff list is scoped: housing does not see the case, enforcement does
    expect((await (await p.as('clerk.housing')).get(`/api/cases?q=${filed.caseNo}`)).body.total).toBe(0);
    expect(
      (await (await p.as('clerk.enforcement')).get(`/api/cases?q=${filed.caseNo}`)).body.cases.map((c: any) => c.id),
    ).toEqual([filed.id]);
  });

  test('a task whose job the process cancelled answers 409 with a clear message', async () => {
    // given an open lead task
    const filed = await report();
    const lead = await openTaskOf('clerk.enforcement', filed.id, 'leadHandle');

    // when the case's instance is cancelled before the clerk completes the task
    const pi = (await p.h.db('case').where({ id: filed.id }).first()).process_instance_key;
    await p.h.zbc.cancelProcessInstance(pi);
    await p.h.te.waitForIdle();
    const enforcement = await p.as('clerk.enforcement');
    const first = await enforcement.post(`/api/tasks/${lead.id}/complete`, {
      variables: { handlingOutcome: 'handled' },
    });
    const again = await enforcement.post(`/api/tasks/${lead.id}/complete`, {
      variables: { handlingOutcome: 'handled' },
    });
    const claim = await enforcement.post(`/api/tasks/${lead.id}/claim`);

    // then
    expect(first.status).toBe(409);
    expect(first.body.detail).toMatch(/can no longer be completed: the process ended this step/);
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/was cancelled/);
    expect(claim.status).toBe(409);
    expect((await inboxOf('clerk.enforcement')).some((t) => t.id === lead.id)).toBe(false);
    expect((await inboxOf('clerk.enforcement', '?state=cancelled')).some((t) => t.id === lead.id)).toBe(true);
  });

  test('return (退单), re-dispatch (改派) and merge (并单) through the case endpoints', async () => {
    // given a case at enforcement and another open case
    const filed = await report();
    const target = await report('小区门口流动摊贩占道经营，希望城管处理', '13600002222');
    await openTaskOf('clerk.enforcement', filed.id, 'leadHandle');
    const enforcement = await p.as('clerk.enforcement');
    const window = await p.as('clerk.mediation-center');

    // when housing tries to return it, and enforcement returns it with a reason
    expect(
      (await (await p.as('clerk.housing')).post(`/api/cases/${filed.id}/return`, { reason: '不属于本部门' })).status,
    ).toBe(409);
    expect((await enforcement.post(`/api/cases/${filed.id}/return`, {})).status).toBe(400);
    const returned = await enforcement.post(`/api/cases/${filed.id}/return`, { reason: '该路段属于街道管理' });
    await p.h.drive();

    // then it waits at the mediation centre
    expect(returned.body).toMatchObject({ caseId: filed.id, step: 'leadHandle' });
    await openTaskOf('clerk.mediation-center', filed.id, 'dispatchConfirm');
    expect((await window.get(`/api/cases/${filed.id}`)).body.returnCount).toBe(1);

    // when the centre re-dispatches it to a situation of another department
    const other = await p.h
      .db('catalog_situation')
      .whereNot({ lead_department: 'enforcement' })
      .whereNull('scenario')
      .orderBy('code')
      .first('code', 'lead_department');
    const otherClerk = `clerk.${other.lead_department}`;
    expect(
      (await window.post(`/api/cases/${filed.id}/redispatch`, { situationId: 'NO-SUCH', reason: 'x' })).status,
    ).toBe(400);
    const redispatched = await window.post(`/api/cases/${filed.id}/redispatch`, {
      situationId: other.code,
      reason: '属地街道牵头',
    });
    await p.h.drive();

    // then the new lead has it
    expect(redispatched.status).toBe(200);
    await openTaskOf(otherClerk, filed.id, 'leadHandle');
    expect((await window.get(`/api/cases/${filed.id}`)).body.classification.situationId).toBe(other.code);

    // when the new lead returns it and the centre merges it into the other open case
    await (await p.as(otherClerk)).post(`/api/cases/${filed.id}/return`, { reason: '与另一工单重复' });
    await p.h.drive();
    const merged = await window.post(`/api/cases/${filed.id}/merge`, { into: target.caseNo, reason: '重复诉求' });
    await p.h.drive();

    // then
    expect(merged.status).toBe(200);
    const view = (await window.get(`/api/cases/${filed.id}`)).body;
    expect(view).toMatchObject({ status: 'merged', mergedInto: target.id });
    expect((await window.get(`/api/cases/${target.id}`)).body.timeline.map((e: any) => e.type)).toContain(
      'merged.duplicate',
    );
    // and a merge needs the dispatch step: the open target cannot be merged right away
    expect((await window.post(`/api/cases/${target.id}/merge`, { into: filed.caseNo })).status).toBe(409);
  });

  test('a clerk requests an extension and a supervisor approves it; the task’s due date moves', async () => {
    // given an open lead task with an SLA
    const filed = await report();
    const lead = await openTaskOf('clerk.enforcement', filed.id, 'leadHandle');
    const enforcement = await p.as('clerk.enforcement');

    // when the clerk asks for 8 more working hours and the supervisor approves
    const asked = await enforcement.post(`/api/tasks/${lead.id}/extension`, { hours: 8, reason: '需要现场复核' });
    expect(asked.status).toBe(201);
    const supervisor = await p.as('supervisor');
    expect((await enforcement.post(`/api/extensions/${asked.body.extensionId}/approve`, {})).status).toBe(403);
    const pending = (await supervisor.get('/api/extensions?status=pending')).body.extensions;
    expect(pending.map((e: any) => e.id)).toContain(asked.body.extensionId);
    const approved = await supervisor.post(`/api/extensions/${asked.body.extensionId}/approve`, { comment: '同意' });
    await p.h.drive();

    // then
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: 'supervisor', hours: 8 });
    const after = (await enforcement.get(`/api/tasks/${lead.id}`)).body;
    expect(new Date(after.dueAt).getTime()).toBeGreaterThan(new Date(lead.dueAt).getTime());
    expect((await supervisor.post(`/api/extensions/${asked.body.extensionId}/reject`, {})).status).toBe(409);
  });

  test('staff classify a text; the public intake is validated field by field', async () => {
    // when a clerk classifies and an anonymous caller posts a broken report
    const classified = await (await p.as('clerk.mediation-center')).post('/api/classify', { text: STALLS });
    const broken = await p
      .anonymous()
      .post('/api/cases', { description: '', reporter: { phone: 'abc' }, location: { lat: 200 } });
    const hotline = await p.anonymous().post('/api/cases', { description: '路灯坏了', channel: 'hotline' });

    // then
    expect(classified.status).toBe(200);
    expect(classified.body.candidates.length).toBeGreaterThanOrEqual(3);
    expect(classified.body.candidates[0]).toMatchObject({ leadDepartment: 'enforcement' });
    expect(broken.status).toBe(400);
    expect(broken.body.errors.map((e: any) => e.field).sort()).toEqual([
      'description',
      'location.lat',
      'reporter.phone',
    ]);
    expect(hotline.status).toBe(403);
  });
});
