import { computeReformEffect } from '../../server/reform/reform-effect';
import { rateCase } from '../../domain/cases/case-service';
import { startHarness, type Harness } from './harness';

describe('reform effect (measured from the case timeline against the configured baseline)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  test('a closed one-window case is measured and the reductions are computed', async () => {
    // given a case run through the whole loop in one working day
    const c = await h.newCase('小区门口每天有流动摊贩摆摊叫卖卖菜，三轮车占道影响通行');
    await h.startIntake(c.id);
    await h.complete('leadHandle', { handlingOutcome: 'handled' }, { case_id: c.id });
    await h.complete('collaborate', { collabOpinion: 'ok' }, { case_id: c.id });
    await h.complete('consolidate', { handlingResult: '已处理' }, { case_id: c.id });
    await h.advance(3 * 3600_000);
    await h.complete('replyReporter', { replyText: '已处理' }, { case_id: c.id });
    await rateCase(h.db, h.zbc, c.id, { satisfied: true }, new Date(h.te.now()));
    await h.drive();

    // when
    const effect = await computeReformEffect(h.db);

    // then: measured from events, reductions computed against the baseline
    const intake = effect.find((e) => e.scenario === 'case-intake')!;
    expect(intake.cases).toBe(1);
    expect(intake.measured).toEqual({ steps: 4, handoffs: 2, visits: 2, days: 0.4 });
    expect(intake.reduction).toEqual({ steps: 50, handoffs: 33.3, visits: 33.3, days: 97.3 });
    expect(effect.find((e) => e.scenario === 'fire-lane')!.measured).toBeNull();
  });
});
