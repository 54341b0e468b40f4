import { seedCatalog } from '../../domain/catalog/seed-catalog';
import { importCatalog } from '../../domain/catalog/import-catalog';
import { readCsvSheet } from '../../domain/catalog/read-sheets';
import { ClassificationService } from '../../domain/classify/classification-service';
import { createTestDb, type TestDb } from '../helpers/db';
import { migrateAndSeedDepartments } from '../catalog/helpers';

describe('ClassificationService (database-backed)', () => {
  let t: TestDb;

  beforeAll(async () => {
    t = await createTestDb();
    await migrateAndSeedDepartments(t.db);
    await seedCatalog(t.db);
  });
  afterAll(() => t.destroy());

  it('serves POST /api/classify candidates, best first, at least three', async () => {
    // given
    const service = new ClassificationService(t.db);
    // when
    const { candidates } = await service.classifyForApi('楼下饭店的油烟直接排到我家窗户，没装净化器');
    // then
    expect(candidates.length).toBeGreaterThanOrEqual(3);
    expect(candidates[0]).toEqual({
      situationId: 'C03-M01-S02',
      matterId: 'C03-M01',
      categoryId: 'C03',
      scenario: 'pollution-source',
      leadDepartment: 'enforcement',
      score: expect.any(Number),
    });
    expect(candidates[0].score).toBeGreaterThanOrEqual(candidates[1].score);
  });

  it('stores a clerk’s correction and ranks it first for similar text, also in another process', async () => {
    // given
    const service = new ClassificationService(t.db, { freshnessCheckMs: 0 });
    const other = new ClassificationService(t.db, { freshnessCheckMs: 0 });
    const text = '小区门口有人用喇叭循环播放收旧手机旧电脑，从早上吵到晚上';
    const before = await service.classify(text);
    expect(before.candidates[0].situationId).not.toBe('C01-M01-S01');
    await other.classify(text); // the other process has built its index already
    // when the clerk corrects two such cases to the street-vendor situation
    for (const [caseId, t2] of [
      ['case-1', '有人骑三轮车用大喇叭喊收旧手机旧电脑'],
      ['case-2', '收旧家电的小贩天天喇叭喊'],
    ]) {
      const c = await service.confirm({
        text: t2,
        situationId: 'C01-M01-S01',
        originalTopSituation: before.candidates[0].situationId,
        caseId,
        by: 'clerk.mediation-center',
      });
      expect(c).toMatchObject({
        situationId: 'C01-M01-S01',
        matterId: 'C01-M01',
        categoryId: 'C01',
        leadDepartment: 'enforcement',
        confidence: 1,
      });
    }
    // then both services rank it first
    expect((await service.classify(text)).candidates[0].situationId).toBe('C01-M01-S01');
    expect((await other.classify(text)).candidates[0].situationId).toBe('C01-M01-S01');
    expect(await service.confirmedForCase('case-2')).toMatchObject({
      chosenSituation: 'C01-M01-S01',
      createdBy: 'clerk.mediation-center',
    });
  });

  it('rejects a confirmation for a situation that does not exist', async () => {
    const service = new ClassificationService(t.db);
    await expect(service.confirm({ text: 'x', situationId: 'C99-M99-S99', by: 'clerk' })).rejects.toThrow(
      /C99-M99-S99/,
    );
  });

  it('rebuilds its index when the catalog changes', async () => {
    // given
    const service = new ClassificationService(t.db, { freshnessCheckMs: 0 });
    const text = '小区里有人放孔明灯，落下来差点点着车棚';
    const before = await service.classify(text);
    expect(before.candidates[0]?.situationId).not.toBe('C05-M03-S05');
    // when a new situation is imported
    const sheet = readCsvSheet(
      'situations',
      'code,matter,name_zh,description,lead_department,collaborators,scenario,sla_working_hours,response_hours,keywords\n' +
        'C05-M03-S05,C05-M03,燃放孔明灯火灾隐患,居民区燃放孔明灯,fire-rescue,property,,8,2,孔明灯;天灯;放灯',
    );
    expect((await importCatalog(t.db, [sheet])).ok).toBe(true);
    // then
    expect((await service.classify(text)).candidates[0].situationId).toBe('C05-M03-S05');
  });
});
