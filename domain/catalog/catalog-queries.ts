import type { Knex } from 'knex';
import type {
  CatalogCategory,
  CatalogData,
  CatalogMatter,
  CatalogSituation,
  OneMatterList,
  ScenarioId,
  ScenarioNode,
  ScenarioNodeKind,
} from './catalog-types';
import type { ValidationContext } from './validate-catalog';

// Query module: the only place that knows the catalog's SQL. jsonb values are passed as JSON
// text because `pg` would otherwise turn a JS array into a PostgreSQL array literal.

/** Rows per INSERT: 649 situations × 12 columns stay far below PostgreSQL's 65,535 parameters. */
const CHUNK = 250;

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

const asArray = (v: unknown): string[] =>
  Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? (JSON.parse(v) as string[]) : [];

/** What validation needs to know about the catalog already stored. */
export async function loadValidationContext(db: Knex): Promise<ValidationContext> {
  const [deps, cats, matters, nodes] = await Promise.all([
    db('department').select('code'),
    db('catalog_category').select('code'),
    db('catalog_matter').select('code'),
    db('scenario_node').select('code', 'scenario', 'kind'),
  ]);
  return {
    departments: new Set(deps.map((d: { code: string }) => d.code)),
    categories: new Set(cats.map((c: { code: string }) => c.code)),
    matters: new Set(matters.map((m: { code: string }) => m.code)),
    scenarioNodes: new Map(
      nodes.map((n: { code: string; scenario: string; kind: ScenarioNodeKind }) => [
        n.code,
        { scenario: n.scenario, kind: n.kind },
      ]),
    ),
  };
}

/**
 * `INSERT … ON CONFLICT (code) DO UPDATE … WHERE <something changed>`: unchanged rows are not
 * touched, so re-importing the same file keeps `updated_at` and `version`, and `returning` lists
 * only the rows that were inserted or changed.
 */
async function upsert(
  trx: Knex,
  table: string,
  rows: Record<string, unknown>[],
  columns: string[],
  opts: { versioned?: boolean } = {},
  onChunk?: (n: number) => void,
): Promise<number> {
  let changed = 0;
  for (const part of chunks(rows)) {
    const merge: Record<string, unknown> = { updated_at: trx.fn.now() };
    for (const c of columns) merge[c] = trx.raw('excluded.??', [c]);
    if (opts.versioned) merge.version = trx.raw('??.version + 1', [table]);
    const distinct = `(${columns.map((c) => `${table}.${c}`).join(', ')}) is distinct from (${columns.map((c) => `excluded.${c}`).join(', ')})`;
    const res = await trx(table)
      .insert(part)
      .onConflict('code')
      .merge(merge)
      .where(trx.raw(distinct))
      .returning('code');
    changed += res.length;
    onChunk?.(part.length);
  }
  return changed;
}

export interface UpsertCounts {
  categories: number;
  matters: number;
  situations: number;
  scenarioNodes: number;
  oneMatterLists: number;
}

/** Writes catalog rows (insert or update by code) inside the caller's transaction. */
export async function upsertCatalog(trx: Knex, data: CatalogData, onRows?: (n: number) => void): Promise<UpsertCounts> {
  const categories = await upsert(
    trx,
    'catalog_category',
    data.categories.map((c) => ({ code: c.code, name_zh: c.name_zh, name_en: c.name_en, sort: c.sort })),
    ['name_zh', 'name_en', 'sort'],
    {},
    onRows,
  );
  const matters = await upsert(
    trx,
    'catalog_matter',
    data.matters.map((m) => ({
      code: m.code,
      category_code: m.category,
      name_zh: m.name_zh,
      name_en: m.name_en,
      description: m.description,
      sort: m.sort,
    })),
    ['category_code', 'name_zh', 'name_en', 'description', 'sort'],
    {},
    onRows,
  );
  const situations = await upsert(
    trx,
    'catalog_situation',
    data.situations.map((s) => ({
      code: s.code,
      matter_code: s.matter,
      name_zh: s.name_zh,
      description: s.description,
      lead_department: s.lead_department,
      collaborators: JSON.stringify(s.collaborators),
      scenario: s.scenario,
      sla_working_hours: s.sla_working_hours,
      response_hours: s.response_hours,
      keywords: JSON.stringify(s.keywords),
      active: s.active,
      sort: s.sort,
    })),
    [
      'matter_code',
      'name_zh',
      'description',
      'lead_department',
      'collaborators',
      'scenario',
      'sla_working_hours',
      'response_hours',
      'keywords',
      'active',
      'sort',
    ],
    { versioned: true },
    onRows,
  );
  // Parents before children: the self-referencing foreign key is checked per statement.
  const depth = (k: ScenarioNodeKind) => (k === 'risk_point' ? 2 : k === 'link' ? 1 : 0);
  const nodes = [...data.scenarioNodes].sort((a, b) => depth(a.kind) - depth(b.kind));
  const scenarioNodes = await upsert(
    trx,
    'scenario_node',
    nodes.map((n) => ({
      code: n.code,
      scenario: n.scenario,
      kind: n.kind,
      parent_code: n.parent,
      name_zh: n.name_zh,
      sort: n.sort,
    })),
    ['scenario', 'kind', 'parent_code', 'name_zh', 'sort'],
    {},
    onRows,
  );
  const oneMatterLists = await upsert(
    trx,
    'one_matter_list',
    data.oneMatterLists.map((l) => ({
      code: l.code,
      name_zh: l.name_zh,
      lead_department: l.lead_department,
      departments: JSON.stringify(l.departments),
      scenario: l.scenario,
      sort: l.sort,
    })),
    ['name_zh', 'lead_department', 'departments', 'scenario', 'sort'],
    {},
    onRows,
  );
  return { categories, matters, situations, scenarioNodes, oneMatterLists };
}

/** The whole stored catalog, in display order. */
export async function loadCatalog(db: Knex, opts: { activeOnly?: boolean } = {}): Promise<CatalogData> {
  const [categories, matters, situations, nodes, lists] = await Promise.all([
    db('catalog_category')
      .select('*')
      .orderBy([{ column: 'sort' }, { column: 'code' }]),
    db('catalog_matter')
      .select('*')
      .orderBy([{ column: 'category_code' }, { column: 'sort' }, { column: 'code' }]),
    db('catalog_situation')
      .select('*')
      .modify((q) => {
        if (opts.activeOnly) q.where('active', true);
      })
      .orderBy([{ column: 'matter_code' }, { column: 'sort' }, { column: 'code' }]),
    db('scenario_node')
      .select('*')
      .orderBy([{ column: 'scenario' }, { column: 'code' }]),
    db('one_matter_list')
      .select('*')
      .orderBy([{ column: 'sort' }, { column: 'code' }]),
  ]);
  return {
    categories: categories.map((c: Record<string, unknown>): CatalogCategory => ({
      code: String(c.code),
      name_zh: String(c.name_zh),
      name_en: String(c.name_en),
      sort: Number(c.sort),
    })),
    matters: matters.map((m: Record<string, unknown>): CatalogMatter => ({
      code: String(m.code),
      category: String(m.category_code),
      name_zh: String(m.name_zh),
      name_en: String(m.name_en),
      description: String(m.description),
      sort: Number(m.sort),
    })),
    situations: situations.map((s: Record<string, unknown>): CatalogSituation => ({
      code: String(s.code),
      matter: String(s.matter_code),
      name_zh: String(s.name_zh),
      description: String(s.description),
      lead_department: String(s.lead_department),
      collaborators: asArray(s.collaborators),
      scenario: (s.scenario ?? null) as ScenarioId | null,
      sla_working_hours: Number(s.sla_working_hours),
      response_hours: Number(s.response_hours),
      keywords: asArray(s.keywords),
      active: Boolean(s.active),
      sort: Number(s.sort),
    })),
    scenarioNodes: nodes.map((n: Record<string, unknown>): ScenarioNode => ({
      code: String(n.code),
      scenario: n.scenario as ScenarioId,
      kind: n.kind as ScenarioNodeKind,
      parent: (n.parent_code ?? null) as string | null,
      name_zh: String(n.name_zh),
      sort: Number(n.sort),
    })),
    oneMatterLists: lists.map((l: Record<string, unknown>): OneMatterList => ({
      code: String(l.code),
      name_zh: String(l.name_zh),
      lead_department: String(l.lead_department),
      departments: asArray(l.departments),
      scenario: (l.scenario ?? null) as ScenarioId | null,
      sort: Number(l.sort),
    })),
  };
}

/** A cheap fingerprint that changes whenever a situation, matter or category changes. */
export async function catalogFingerprint(db: Knex): Promise<string> {
  const row = await db.raw(
    `select (select count(*) from catalog_situation)::text || ':' ||
            coalesce((select max(updated_at) from catalog_situation)::text, '') || ':' ||
            coalesce((select max(updated_at) from catalog_matter)::text, '') || ':' ||
            coalesce((select max(updated_at) from catalog_category)::text, '') as fp`,
  );
  return String(row.rows[0].fp);
}
