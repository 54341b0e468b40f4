import { createSmsNotifyHandler } from '../../workers/sms-notify';
import { HOUR, startHarness, type Harness } from './harness';

/** Each scenario's happy path, merge (并单) and return/re-dispatch (退单/改派), the hazmat inspection round. */
describe('one-matter scenarios', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  const dispatchTo = async (caseId: string, situationId: string) =>
    h.complete(
      'dispatchConfirm',
      { dispatchAction: 'dispatch', correctedSituationId: situationId },
      { case_id: caseId },
      'clerk.mediation',
    );

  test('housing-quality: the lead chooses collaborators, they handle in parallel, one consolidated answer', async () => {
    // given a home-owner complaint dispatched to 新房墙体开裂和渗漏水 (housing leads)
    const c = await h.newCase('新交付的商品房外墙开裂，窗台渗漏水');
    const pi = await h.startIntake(c.id, { autoDispatch: false });
    if ((await h.openTasks('dispatchConfirm', { case_id: c.id })).length) await dispatchTo(c.id, 'C02-M01-S01');
    await h.te.isWaitingAtElements(pi, ['handle']);
    const assess = await h.openTask('assess', { case_id: c.id });
    expect(assess.department).toBe('housing');
    expect(assess.bpmn_process_id).toBe('housing-quality');

    // when the lead picks market and fire-rescue
    await h.complete(
      'assess',
      { handlingOutcome: 'handled', stageCode: 'HQ-S4', chosenCollaborators: ['market', 'fire-rescue'] },
      { case_id: c.id },
    );
    const joint = await h.openTasks('jointHandle', { case_id: c.id });
    expect(joint.map((t) => t.department).sort()).toEqual(['fire-rescue', 'market']);
    for (const t of joint)
      await h.complete('jointHandle', { collabOpinion: `${t.department} 已现场核查` }, { id: t.id });
    await h.complete('consolidate', { handlingResult: '开发商限期维修，质监站跟踪' }, { case_id: c.id });

    // then the one window replies
    await h.openTask('replyReporter', { case_id: c.id });
    const row = await h.db('case').where({ id: c.id }).first();
    expect(row.collaborators).toEqual(['market', 'fire-rescue']);
    expect(row.stage_code).toBe('HQ-S4');
  });

  test('new-product-rd: science, market and tax handle their parts in parallel under economy', async () => {
    const c = await h.newCase('我司研发新型电机，申请研发费用加计扣除和新产品认定', { channel: 'api' });
    const pi = (
      await h.zbc.createProcessInstance({
        bpmnProcessId: 'new-product-rd',
        variables: {
          caseId: c.id,
          caseNo: c.caseNo,
          leadDepartment: 'economy',
          collaborators: ['science', 'market', 'tax'],
          slaWorkingHours: 40,
        },
      })
    ).processInstanceKey;
    await h.drive();
    await h.complete(
      'rdAccept',
      { handlingOutcome: 'handled', enterpriseName: '宁波某电机有限公司' },
      { case_id: c.id },
    );
    const parts = await h.openTasks('rdPart', { case_id: c.id });
    expect(parts.map((t) => t.department).sort()).toEqual(['market', 'science', 'tax']);
    for (const t of parts) await h.complete('rdPart', { partResult: 'support', partOpinion: '同意' }, { id: t.id });
    await h.complete('rdConsolidate', { handlingResult: '三部门均支持，已一次性告知' }, { case_id: c.id });
    await h.te.isCompleted(pi);
    const opinions = (await h.te.variable(pi, 'collaboratorOpinions')) as { department: string }[];
    expect(opinions.map((o) => o.department).sort()).toEqual(['market', 'science', 'tax']);
  });

  test('pollution-source: violation → rectification deadline → re-inspection fails → penalty', async () => {
    const c = await h.newCase('工厂夜间偷排废水，河道发黑发臭', { channel: 'api' });
    const pi = (
      await h.zbc.createProcessInstance({
        bpmnProcessId: 'pollution-source',
        variables: {
          caseId: c.id,
          caseNo: c.caseNo,
          leadDepartment: 'environment',
          collaborators: [],
          slaWorkingHours: 24,
        },
      })
    ).processInstanceKey;
    await h.drive();
    await h.complete(
      'inspect',
      { handlingOutcome: 'handled', violationFound: true, rectifyDays: 5, inspectionFindings: '雨水管排放废水' },
      { case_id: c.id },
    );
    await h.te.isWaitingAtElements(pi, ['awaitRectify']);
    const deadline = String(await h.te.variable(pi, 'rectifyDeadline'));
    // when the deadline passes without a report
    await h.at(Date.parse(deadline) + 60_000);
    await h.complete('reinspect', { rectified: false, reinspectFindings: '仍在偷排' }, { case_id: c.id });
    const penalty = await h.openTask('penalize', { case_id: c.id });
    expect(penalty.department).toBe('enforcement');
    await h.complete(
      'penalize',
      { penaltyDecision: '甬江执罚〔2026〕1号', handlingResult: '罚款并责令停产整治' },
      { case_id: c.id },
    );
    await h.te.isCompleted(pi);
    await h.te.hasPassedElement(pi, 'endPenalized');
    expect((await h.events(c.id)).map((e) => e.type)).toContain('rectification.ordered');
  });

  test('hazmat-transport: the weekly inspection round checks every risk point, rectifies and re-inspects', async () => {
    // given three risk points in the catalog (the sample catalog's 43 are replaced for a short round)
    const keep = ['HZ-C1-L01-R01', 'HZ-C3-L01-R01', 'HZ-C4-L01-R01'];
    const all = await h.db('scenario_node').where({ scenario: 'hazmat-transport', kind: 'risk_point' }).select('code');
    const present = all.map((r: { code: string }) => r.code).filter((c: string) => keep.includes(c));
    await h
      .db('scenario_node')
      .where({ scenario: 'hazmat-transport', kind: 'risk_point' })
      .whereNotIn('code', present)
      .delete();
    // when the Monday 09:00 timer fires (the engine's cron)
    const before = await h.db('case').where({ scenario: 'hazmat-transport' }).count<{ n: string }[]>({ n: '*' });
    await h.advance(7 * 24 * HOUR);
    const round = await h
      .db('case')
      .where({ scenario: 'hazmat-transport', channel: 'system' })
      .orderBy('created_at', 'desc')
      .first();
    expect(round).toBeDefined();
    expect(
      Number((await h.db('case').where({ scenario: 'hazmat-transport' }).count<{ n: string }[]>({ n: '*' }))[0].n),
    ).toBeGreaterThan(Number(before[0].n));
    const inspections = await h.openTasks('rpInspect', { case_id: round.id });
    expect(inspections).toHaveLength(present.length);
    // one hazard found, the rest fine
    const [first, ...rest] = inspections;
    await h.complete(
      'rpInspect',
      { hazardFound: true, rectifyDays: 3, findings: '槽罐车停放区未设防火间距' },
      { id: first.id },
    );
    for (const t of rest) await h.complete('rpInspect', { hazardFound: false, findings: '正常' }, { id: t.id });
    // the enterprise reports the rectification done → re-inspection passes
    const riskKey = `${round.id}:${first.variables.riskPoint.code}`;
    await h.zbc.publishMessage({
      name: 'hazmat.rectified',
      correlationKey: riskKey,
      timeToLive: 60_000,
      variables: {},
    });
    await h.drive();
    await h.complete('rpReinspect', { rectified: true, reinspectFindings: '已整改' }, { case_id: round.id });
    const closed = await h.db('case').where({ id: round.id }).first();
    expect(closed.status).toBe('closed');
    const summary = (await h.events(round.id)).find((e) => e.type === 'closed')!.data.roundSummary;
    expect(summary).toEqual({ riskPoints: present.length, hazards: 1, rectified: 1, enforced: 0 });
  });

  test('fire-lane: notice SMS, no reaction within the grace period → warning SMS and on-site task → closed', async () => {
    const c = await h.newCase('消防通道占用：浙B10001', { channel: 'device' });
    const pi = (
      await h.zbc.createProcessInstance({
        bpmnProcessId: 'fire-lane',
        variables: {
          caseId: c.id,
          caseNo: c.caseNo,
          plate: '浙B10001',
          laneId: 'L-07',
          laneName: '庄桥花园3号楼',
          graceDuration: 'PT10M',
          graceMinutes: 10,
        },
      })
    ).processInstanceKey;
    const sms = createSmsNotifyHandler({ db: h.db, now: () => new Date(h.te.now()) });
    const runSms = async () => {
      const jobs = await h.zbc.activateJobs({
        type: 'sms.notify',
        worker: 'test',
        maxJobsToActivate: 5,
        timeout: 60_000,
        requestTimeout: -1,
      } as never);
      for (const j of jobs)
        await sms({
          ...j,
          complete: (v?: Record<string, unknown>) =>
            h.zbc.completeJob({ jobKey: j.key, variables: (v ?? {}) as never }),
          fail: async (f) => {
            throw new Error(f.errorMessage);
          },
        });
      await h.te.waitForIdle();
    };
    // the vehicle registry (another issue's worker) answers with the owner
    await h.te.waitForIdle();
    const [lookup] = await h.zbc.activateJobs({
      type: 'vehicle.lookup',
      worker: 'test',
      maxJobsToActivate: 1,
      timeout: 60_000,
      requestTimeout: -1,
    } as never);
    await h.zbc.completeJob({
      jobKey: lookup.key,
      variables: { vehicleOwner: { name: '车主', phone: '13700000001' } },
    });
    await h.te.waitForIdle();
    await runSms();
    await h.drive(); // the repeat-offence count after the notice
    await h.te.isWaitingAtElements(pi, ['awaitCleared']);
    await h.advance(10 * 60_000);
    await runSms();
    await h.drive();
    const onSite = await h.openTask('onSite', { case_id: c.id });
    expect(onSite.department).toBe('fire-rescue');
    await h.complete('onSite', { onSiteResult: 'towed' }, { case_id: c.id }, 'clerk.fire-rescue');
    await h.te.isCompleted(pi);
    expect(
      (await h.db('notification').where({ case_id: c.id }).orderBy('id')).map((n: { template: string }) => n.template),
    ).toEqual(['fire-lane.notice', 'fire-lane.warning']);
    expect((await h.db('case').where({ id: c.id }).first()).status).toBe('closed');
  });

  test('a duplicate report is merged (并单) into the open case', async () => {
    const target = await h.newCase('新交付的商品房外墙开裂，窗台渗漏水，开发商不理');
    const dup = await h.newCase('同一小区外墙开裂渗水问题，我也要反映');
    const pi = await h.startIntake(dup.id);
    // a merge is the clerk's call: send the case to the dispatch task as a return would
    if (!(await h.openTasks('dispatchConfirm', { case_id: dup.id })).length) {
      await h.complete(
        'assess',
        { handlingOutcome: 'returned', returnReason: '与已受理工单重复' },
        { case_id: dup.id },
      );
    }
    // when the clerk first names a wrong target, then the right one
    await h.complete(
      'dispatchConfirm',
      { dispatchAction: 'merge', mergeInto: 'JB00000000-000000' },
      { case_id: dup.id },
    );
    await h.te.hasPassedElement(pi, 'merge');
    await h.complete('dispatchConfirm', { dispatchAction: 'merge', mergeInto: target.caseNo }, { case_id: dup.id });
    // then
    await h.te.isCompleted(pi);
    await h.te.hasPassedElement(pi, 'endMerged');
    const row = await h.db('case').where({ id: dup.id }).first();
    expect(row.status).toBe('merged');
    expect(row.merged_into).toBe(target.id);
    expect((await h.events(target.id)).map((e) => e.type)).toContain('merged.duplicate');
  });

  test('the lead department returns a case with a reason (退单) and the mediation centre re-dispatches it (改派)', async () => {
    const c = await h.newCase('小区门口每天有流动摊贩摆摊叫卖卖菜，三轮车占道影响通行');
    const pi = await h.startIntake(c.id);
    // when enforcement returns it
    await h.complete(
      'leadHandle',
      { handlingOutcome: 'returned', returnReason: '该路段属于街道管理' },
      { case_id: c.id },
      'clerk.enforcement',
    );
    // then it is back at the mediation centre
    const task = await h.openTask('dispatchConfirm', { case_id: c.id });
    expect(task.department).toBe('mediation-center');
    expect((await h.db('case').where({ id: c.id }).first()).return_count).toBe(1);
    const returned = (await h.events(c.id)).find((e) => e.type === 'returned');
    expect(returned?.data.reason).toBe('该路段属于街道管理');
    // when re-dispatched to another situation
    const other = await h
      .db('catalog_situation')
      .whereNot('lead_department', 'enforcement')
      .whereNull('scenario')
      .first('code', 'lead_department');
    await dispatchTo(c.id, other.code);
    const lead = await h.openTask('leadHandle', { case_id: c.id });
    expect(lead.department).toBe(other.lead_department);
    await h.te.isActive(pi);
  });
});
