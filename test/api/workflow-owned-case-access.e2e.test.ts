/**
 * Issue 18 (an attack on `npm run demo`), through the real HTTP API on the embedded engine with the
 * real workers:
 * - H1: a clerk completing their own task with an extra `caseId` took over another case. Now the
 *   completion is refused (400 naming the field); and were a variable ever changed another way, the
 *   worker refuses to write a case its job's process instance does not work for.
 * - M3: only the case's departments, a supervisor or the reporter may rate (and so re-open) a case.
 * - M4: the SMS outbox shows a clerk only their departments' cases.
 */
import { startApiPlatform, type ApiPlatform } from './helpers';

const STALLS = '小区门口每天有流动摊贩摆摊叫卖卖菜，三轮车占道影响通行';

describe('workflow-owned variables and case access (issue 18)', () => {
  let p: ApiPlatform;
  beforeAll(async () => {
    p = await startApiPlatform();
  }, 60_000);
  afterAll(() => p.stop());

  async function report(phone: string) {
    const res = await p.anonymous().post('/api/cases', { description: STALLS, reporter: { name: '王先生', phone } });
    expect(res.status).toBe(201);
    await p.h.drive();
    return res.body as { id: string; caseNo: string };
  }

  async function openTask(username: string, caseId: string, elementId: string) {
    const res = await (await p.as(username)).get(`/api/tasks?caseId=${caseId}`);
    const task = (res.body.tasks as any[]).find((t) => t.elementId === elementId);
    if (!task) throw new Error(`Expected ${username} to see an open ${elementId} of case ${caseId}`);
    return task;
  }

  async function complete(username: string, caseId: string, elementId: string, variables: Record<string, unknown>) {
    const task = await openTask(username, caseId, elementId);
    const res = await (await p.as(username)).post(`/api/tasks/${task.id}/complete`, { variables });
    expect(res.status).toBe(200);
    await p.h.drive();
  }

  /** Runs a stalls case (enforcement leads, street-kongpu collaborates) to its reply step. */
  async function toReply(caseId: string) {
    await complete('clerk.enforcement', caseId, 'leadHandle', { handlingOutcome: 'handled', leadOpinion: '已处理' });
    await complete('clerk.street-kongpu', caseId, 'collaborate', { collabOpinion: '已巡查' });
    await complete('clerk.enforcement', caseId, 'consolidate', { handlingResult: '已劝离' });
    return openTask('clerk.enforcement', caseId, 'replyReporter');
  }

  const caseRow = (id: string) => p.h.db('case').where({ id }).first();
  const repliedSms = (caseId: string) => p.h.db('notification').where({ case_id: caseId, template: 'case.replied' });

  let own: { id: string; caseNo: string };
  let victim: { id: string; caseNo: string };

  test('H1: completing a task with a variable its form does not have is refused, naming it', async () => {
    // given the attacker's own case at its reply step and another case (the victim) still open
    victim = await report('13700002222');
    own = await report('13700001111');
    const reply = await toReply(own.id);
    const enforcement = await p.as('clerk.enforcement');

    // when the clerk completes the reply with the victim's caseId (and, separately, a forged completedBy)
    const attack = await enforcement.post(`/api/tasks/${reply.id}/complete`, {
      variables: { replyText: '您反映的问题已处理。', caseId: victim.id },
    });
    const forged = await enforcement.post(`/api/tasks/${reply.id}/complete`, {
      variables: { replyText: '您反映的问题已处理。', completedBy: 'supervisor', slaDueAt: '2030-01-01T00:00:00Z' },
    });

    // then both are 400 problem+json naming the fields the form does not have, and nothing moved
    expect(attack.status).toBe(400);
    expect(attack.headers.get('content-type')).toContain('application/problem+json');
    expect(attack.body.detail).toContain('caseId');
    expect(attack.body.errors).toEqual([{ field: 'variables.caseId', message: 'not a field of this form' }]);
    expect(forged.status).toBe(400);
    expect(forged.body.errors.map((e: any) => e.field).sort()).toEqual(['variables.completedBy', 'variables.slaDueAt']);
    expect((await enforcement.get(`/api/tasks/${reply.id}`)).body.state).toBe('created');
    expect((await caseRow(victim.id)).status).not.toBe('replied');

    // and the honest completion closes the clerk's own case only
    await complete('clerk.enforcement', own.id, 'replyReporter', { replyText: '您反映的问题已处理。' });
    expect((await caseRow(own.id)).status).toBe('closed');
    expect((await caseRow(victim.id)).reply).toBeNull();
    expect(await repliedSms(victim.id)).toEqual([]);
  });

  test('M3: a clerk of another department may not rate (and re-open) a case; its lead, a supervisor and the reporter may', async () => {
    // given the attacker's case closed and waiting for its rating (enforcement leads, street-kongpu collaborates)
    const housing = await p.as('clerk.housing');

    // when a housing clerk rates it unsatisfied, with no phone and with a wrong one
    const noPhone = await housing.post(`/api/cases/${own.id}/rating`, { satisfied: false });
    const wrongPhone = await housing.post(`/api/cases/${own.id}/rating`, { satisfied: false, phone: '13900000000' });

    // then both are 403 problem+json and the case stays closed, unrated
    expect(noPhone.status).toBe(403);
    expect(noPhone.headers.get('content-type')).toContain('application/problem+json');
    expect(noPhone.body.detail).toContain('enforcement');
    expect(wrongPhone.status).toBe(403);
    await p.h.drive();
    expect(await caseRow(own.id)).toMatchObject({ status: 'closed', rating_satisfied: null, reopen_count: 0 });

    // and the lead department's clerk may rate it on the follow-up call
    const lead = await (await p.as('clerk.enforcement')).post(`/api/cases/${own.id}/rating`, { satisfied: true });
    expect(lead.status).toBe(200);
  });

  test('M4: a clerk sees only the SMS of their departments’ cases; supervisors all; phones masked', async () => {
    // given receipts for the enforcement cases, and a housing clerk, an enforcement clerk and a supervisor
    const list = async (u: string, q = '') => (await (await p.as(u)).get(`/api/notifications${q}`)).body;

    // when each lists the outbox
    const housing = await list('clerk.housing');
    const enforcement = await list('clerk.enforcement');
    const supervisor = await list('supervisor');
    const forCase = await (await p.as('clerk.housing')).get(`/api/notifications?caseId=${own.id}`);

    // then housing sees none of enforcement's messages, nor may ask for the case; the others see them
    expect(housing.notifications.filter((n: any) => [own.id, victim.id].includes(n.caseId))).toEqual([]);
    expect(forCase.status).toBe(403);
    const ids = (b: any) => new Set(b.notifications.map((n: any) => n.caseId));
    expect(ids(enforcement)).toEqual(new Set([own.id, victim.id]));
    expect(ids(supervisor).has(own.id)).toBe(true);
    // and every phone is masked
    for (const n of [...enforcement.notifications, ...supervisor.notifications]) {
      expect(n.to).toMatch(/^137\*{4}\d{4}$/);
      expect(n.text).not.toMatch(/1370000\d{4}/);
    }
  });

  test('H1: were caseId ever changed in an instance, its worker refuses to write the other case', async () => {
    // given a case at its reply step whose instance's caseId was changed behind the API's back
    const third = await report('13700003333');
    const reply = await toReply(third.id);
    const pi = (await caseRow(third.id)).process_instance_key;
    await p.h.zbc.setVariables({ elementInstanceKey: pi, variables: { caseId: victim.id }, local: false } as any);

    // when the clerk completes the reply honestly
    const res = await (
      await p.as('clerk.enforcement')
    ).post(`/api/tasks/${reply.id}/complete`, {
      variables: { replyText: '答复内容' },
    });
    expect(res.status).toBe(200);

    // then case.reply fails (no retries) naming the instance and both cases, and the victim is untouched
    await expect(p.h.drive()).rejects.toThrow(
      new RegExp(
        `case\\.reply .*process instance ${pi} \\(case-intake\\) to work for case ${victim.id}.*root instance of case ${third.id}`,
      ),
    );
    expect(await caseRow(victim.id)).toMatchObject({ reply: null });
    expect((await caseRow(victim.id)).status).not.toBe('replied');
    expect(await repliedSms(victim.id)).toEqual([]);
  });
});
