import type { CatalogData } from '../../domain/catalog/catalog-types';
import { Classifier } from '../../domain/classify/classifier';
import { topConfidence } from '../../domain/classify/confidence';
import { loadSampleCatalog } from './fixtures';

describe('Classifier', () => {
  let catalog: CatalogData;

  beforeAll(async () => {
    catalog = await loadSampleCatalog();
  });

  it.each([
    ['我家楼下那辆车天天停在消防通道上，消防车根本进不来', 'C05-M01-S01'],
    ['新交的房子客厅墙上好几条裂缝，下雨窗户还渗水，开发商不管', 'C02-M01-S01'],
    ['隔壁化工厂晚上排废气，一股刺鼻的臭味，熏得头疼', 'C03-M01-S01'],
    ['公司拖欠我们三个月工资了，老板电话也不接', 'C08-M01-S01'],
    ['我们企业开发了一个新产品，要办立项和鉴定，能不能一次申请', 'C09-M01-S01'],
    ['小区门口晚上停了一辆装危险化学品的槽罐车', 'C04-M01-S02'],
  ])('ranks the right situation first for %s', (text, expected) => {
    // given
    const classifier = new Classifier(catalog);
    // when
    const result = classifier.classify(text);
    // then
    expect(result.candidates[0].situationId).toBe(expected);
    expect(result.candidates.length).toBe(5);
    expect(result.confidence).toBeGreaterThan(0);
    expect(result.confidence).toBeLessThanOrEqual(1);
  });

  it('returns candidates with routing, best first', () => {
    const { candidates } = new Classifier(catalog).classify('小区消防通道被车堵了');
    expect(candidates[0]).toMatchObject({
      situationId: 'C05-M01-S01',
      matterId: 'C05-M01',
      categoryId: 'C05',
      scenario: 'fire-lane',
      leadDepartment: 'fire-rescue',
      collaborators: ['property', 'traffic-police'],
    });
    const scores = candidates.map((c) => c.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('learns from a clerk’s correction: feedback moves the chosen situation up', () => {
    // given a text the catalog alone ranks elsewhere
    const classifier = new Classifier(catalog);
    const text = '小区门口有人用喇叭循环播放收旧手机旧电脑，从早上吵到晚上';
    const before = classifier.classify(text, 20);
    const target = 'C01-M01-S01'; // the clerk says: a street vendor, enforcement's matter
    const rankBefore = before.candidates.findIndex((c) => c.situationId === target);
    expect(rankBefore).not.toBe(0);
    // when the clerk confirms two similar cases for that situation
    classifier.addFeedback({ situationId: target, text: '有人骑三轮车用大喇叭喊收旧手机旧电脑' });
    classifier.addFeedback({ situationId: target, text: '收旧家电的小贩天天喇叭喊' });
    // then
    const after = classifier.classify(text, 20);
    expect(after.candidates[0].situationId).toBe(target);
  });

  it('ignores feedback for unknown or inactive situations', () => {
    const inactive: CatalogData = {
      ...catalog,
      situations: catalog.situations.map((s) => (s.code === 'C05-M01-S01' ? { ...s, active: false } : s)),
    };
    const classifier = new Classifier(inactive);
    expect(classifier.addFeedback({ situationId: 'C05-M01-S01', text: '消防通道' })).toBe(false);
    expect(classifier.addFeedback({ situationId: 'NOPE', text: 'x' })).toBe(false);
    expect(classifier.classify('消防通道被车占了').candidates.map((c) => c.situationId)).not.toContain('C05-M01-S01');
  });

  it('gives no candidates and no auto-dispatch for text the catalog cannot place', () => {
    const result = new Classifier(catalog).classify('！！！');
    expect(result).toEqual({ candidates: [], confidence: 0, autoDispatch: false });
  });

  it('auto-dispatches only at or above the configured threshold', () => {
    const text = '小区消防通道被车堵了';
    const never = new Classifier(catalog, [], { confidenceThreshold: 1.01 }).classify(text);
    const always = new Classifier(catalog, [], { confidenceThreshold: 0 }).classify(text);
    expect(never.autoDispatch).toBe(false);
    expect(always.autoDispatch).toBe(true);
  });

  it('classifies in a few milliseconds', () => {
    const classifier = new Classifier(catalog);
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) classifier.classify('楼上邻居每天半夜拖椅子跺脚，吵得睡不着，说了也没用');
    expect((performance.now() - t0) / 50).toBeLessThan(20); // generous bound for slow CI; bench reports ≈1 ms
  });
});

describe('topConfidence', () => {
  it('is high for a clear winner, near 1/k for a tie, 0 without scores', () => {
    expect(topConfidence([10, 4, 3], 0.2)).toBeGreaterThan(0.9);
    expect(topConfidence([5, 5, 5, 5], 0.2)).toBeCloseTo(0.25);
    expect(topConfidence([], 0.2)).toBe(0);
    expect(topConfidence([3], 0.2)).toBe(1);
  });
});
