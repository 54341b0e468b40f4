import { SAMPLE_CATALOG_DIR } from '../../domain/catalog/seed-catalog';
import { DEPARTMENTS, DEPARTMENT_CODES } from '../../domain/departments/departments';
import { readCatalogFiles } from '../../domain/catalog/read-catalog-files';
import type { CatalogData } from '../../domain/catalog/catalog-types';

describe('shipped sample catalog (processes/catalog)', () => {
  let catalog: CatalogData;

  beforeAll(async () => {
    // given the CSV files, validated without a database
    catalog = await readCatalogFiles(SAMPLE_CATALOG_DIR, DEPARTMENT_CODES);
  });

  it('has 12 categories, at least 40 matters and 150 situations', () => {
    expect(catalog.categories).toHaveLength(12);
    expect(catalog.matters.length).toBeGreaterThanOrEqual(40);
    expect(catalog.situations.length).toBeGreaterThanOrEqual(150);
  });

  it('gives every category matters and every matter situations', () => {
    for (const c of catalog.categories)
      expect(catalog.matters.filter((m) => m.category === c.code).length).toBeGreaterThan(0);
    for (const m of catalog.matters)
      expect(catalog.situations.filter((s) => s.matter === m.code).length).toBeGreaterThan(0);
  });

  it('breaks housing quality into 4 stages, 29 links, 69 risk points', () => {
    const nodes = catalog.scenarioNodes.filter((n) => n.scenario === 'housing-quality');
    expect(nodes.filter((n) => n.kind === 'stage')).toHaveLength(4);
    expect(nodes.filter((n) => n.kind === 'link')).toHaveLength(29);
    expect(nodes.filter((n) => n.kind === 'risk_point')).toHaveLength(69);
  });

  it('breaks hazmat storage and transport into 4 scenes, 24 links, 43 risk points', () => {
    const nodes = catalog.scenarioNodes.filter((n) => n.scenario === 'hazmat-transport');
    expect(nodes.filter((n) => n.kind === 'scene')).toHaveLength(4);
    expect(nodes.filter((n) => n.kind === 'link')).toHaveLength(24);
    expect(nodes.filter((n) => n.kind === 'risk_point')).toHaveLength(43);
  });

  it('ships the 20 one-matter lists, including the five scenario lists of DOMAIN.md', () => {
    expect(catalog.oneMatterLists).toHaveLength(20);
    const scenarios = new Set(catalog.oneMatterLists.map((l) => l.scenario));
    for (const s of ['new-product-rd', 'pollution-source', 'fire-lane', 'hazmat-transport', 'housing-quality'])
      expect(scenarios).toContain(s);
    // hazmat: the district government, emergency management lead, traffic police and 12 linked departments
    const hazmat = catalog.oneMatterLists.find((l) => l.scenario === 'hazmat-transport')!;
    expect(hazmat.lead_department).toBe('emergency');
    expect(hazmat.departments.filter((d) => d !== 'government-office' && d !== 'traffic-police')).toHaveLength(12);
  });

  it('uses only department codes of DOMAIN.md for leads and collaborators', () => {
    const used = [
      ...catalog.situations.flatMap((s) => [s.lead_department, ...s.collaborators]),
      ...catalog.oneMatterLists.flatMap((l) => [l.lead_department, ...l.departments]),
    ];
    expect(used.filter((c) => !DEPARTMENT_CODES.has(c))).toEqual([]);
    expect(DEPARTMENTS).toHaveLength(33);
  });

  it('gives every situation keywords and a realistic SLA (respond before the handling deadline)', () => {
    for (const s of catalog.situations) {
      expect(s.keywords.length).toBeGreaterThanOrEqual(4);
      expect(s.sla_working_hours).toBeGreaterThan(0);
      expect(s.sla_working_hours).toBeLessThanOrEqual(120); // 15 working days, the usual cap
      expect(s.response_hours).toBeLessThanOrEqual(s.sla_working_hours);
    }
  });

  it('routes each scenario to at least one situation', () => {
    const scenarios = new Set(catalog.situations.map((s) => s.scenario));
    for (const s of ['housing-quality', 'hazmat-transport', 'pollution-source', 'new-product-rd', 'fire-lane'])
      expect(scenarios).toContain(s);
  });
});
