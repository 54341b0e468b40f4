import type { CatalogData, CatalogMatter, CatalogSituation } from './catalog-types';

/** The size of Jiangbei's real catalog (DOMAIN.md): 12 categories, 109 matters, 649 situations. */
export const DISTRICT_CATALOG_SIZE = { matters: 109, situations: 649 } as const;

/** Where a problem happens; turns one situation into the place-specific variants districts list. */
const PLACES = [
  '老旧小区',
  '新建商品房小区',
  '沿街商铺',
  '农村地区',
  '工业园区',
  '学校周边',
  '商业综合体',
  '城乡结合部',
  '交通枢纽周边',
  '公园景区',
];

/**
 * Grows a catalog to the district's size for import and latency tests: the given categories,
 * matters and situations are kept; new matters (`Cxx-Gnn`) and place-specific situations
 * (`…-Vnn`) are derived from existing ones, keeping their departments, scenario, SLA and
 * keywords. Deterministic: the same input gives the same rows.
 */
export function generateCatalog(
  base: CatalogData,
  size: { matters: number; situations: number } = DISTRICT_CATALOG_SIZE,
): CatalogData {
  const matters: CatalogMatter[] = base.matters.map((m) => ({ ...m }));
  const situations: CatalogSituation[] = base.situations.map((s) => ({
    ...s,
    collaborators: [...s.collaborators],
    keywords: [...s.keywords],
  }));
  const byMatter = new Map<string, CatalogSituation[]>();
  for (const s of base.situations) byMatter.set(s.matter, [...(byMatter.get(s.matter) ?? []), s]);

  // New matters: round-robin over the categories, each a place-specific edition of a base matter.
  const baseMatters = base.matters.filter((m) => (byMatter.get(m.code) ?? []).length > 0);
  let i = 0;
  while (matters.length < size.matters && baseMatters.length > 0) {
    const src = baseMatters[i % baseMatters.length];
    const place = PLACES[Math.floor(i / baseMatters.length) % PLACES.length];
    const code = `${src.category}-G${String(i + 1).padStart(2, '0')}`;
    matters.push({
      ...src,
      code,
      name_zh: `${place}${src.name_zh}`,
      name_en: `${src.name_en} (${place})`,
      sort: 100 + i,
    });
    const srcSituations = byMatter.get(src.code) ?? [];
    srcSituations.slice(0, 2).forEach((s, j) => {
      if (situations.length >= size.situations) return;
      situations.push(variant(s, `${code}-S${String(j + 1).padStart(2, '0')}`, code, place, j));
    });
    i++;
  }

  // Then place-specific variants of existing situations until the target count.
  let k = 0;
  const pool = [...situations];
  while (situations.length < size.situations && pool.length > 0) {
    const src = pool[k % pool.length];
    const place = PLACES[(Math.floor(k / pool.length) + k) % PLACES.length];
    situations.push(
      variant(src, `${src.code}-V${String(Math.floor(k / pool.length) + 1).padStart(2, '0')}`, src.matter, place, k),
    );
    k++;
  }
  return {
    categories: base.categories.map((c) => ({ ...c })),
    matters,
    situations,
    scenarioNodes: base.scenarioNodes.map((n) => ({ ...n })),
    oneMatterLists: base.oneMatterLists.map((l) => ({ ...l, departments: [...l.departments] })),
  };
}

function variant(s: CatalogSituation, code: string, matter: string, place: string, n: number): CatalogSituation {
  return {
    ...s,
    code,
    matter,
    name_zh: `${place}${s.name_zh}`,
    description: `${place}：${s.description}`,
    collaborators: [...s.collaborators],
    keywords: [...s.keywords, place],
    sla_working_hours: s.sla_working_hours,
    response_hours: s.response_hours,
    sort: 1000 + n,
  };
}
