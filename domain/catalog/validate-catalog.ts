import { SHEET_COLUMNS, SHEET_NAMES, splitList, type RawSheet, type SheetName } from './catalog-sheets';
import { SCENARIO_IDS, emptyCatalog, type CatalogData, type ScenarioId, type ScenarioNodeKind } from './catalog-types';

/** One problem in an import file, pointing at the cell a clerk has to fix. */
export interface CatalogRowError {
  sheet: SheetName;
  /** 1-based row number in the file; the header is row 1. */
  row: number;
  column: string;
  message: string;
}

/** What the database already holds, so a file may refer to rows it does not carry itself. */
export interface ValidationContext {
  departments: ReadonlySet<string>;
  categories: ReadonlySet<string>;
  matters: ReadonlySet<string>;
  scenarioNodes: ReadonlyMap<string, { scenario: string; kind: ScenarioNodeKind }>;
}

const SCENARIOS: ReadonlySet<string> = new Set(SCENARIO_IDS);
const NODE_KINDS: ReadonlySet<string> = new Set(['stage', 'scene', 'link', 'risk_point']);
/** PostgreSQL `integer`. */
const MAX_INT = 2_147_483_647;
const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const TRUE = new Set(['true', '1', 'yes', 'y', '是', 'TRUE']);
const FALSE = new Set(['false', '0', 'no', 'n', '否', 'FALSE']);

/** A row reader that records errors against the row and column it is reading. */
class RowReader {
  constructor(
    private readonly sheet: SheetName,
    private readonly row: number,
    private readonly values: Record<string, string>,
    private readonly errors: CatalogRowError[],
  ) {}

  fail(column: string, message: string): void {
    this.errors.push({ sheet: this.sheet, row: this.row, column, message });
  }

  str(column: string, required: boolean): string {
    const v = this.values[column] ?? '';
    if (required && v === '') this.fail(column, `Expected a value in '${column}', but the cell is empty`);
    return v;
  }

  code(column: string): string {
    const v = this.str(column, true);
    if (v !== '' && !CODE_PATTERN.test(v)) {
      this.fail(column, `Expected a code of letters, digits, '-', '_' or '.', but got '${v}'`);
    }
    return v;
  }

  int(column: string, required: boolean, fallback: number, min?: number): number {
    const v = this.str(column, required);
    if (v === '') return fallback;
    if (!/^-?\d+(\.0+)?$/.test(v)) {
      this.fail(column, `Expected a whole number in '${column}', but got '${v}'`);
      return fallback;
    }
    const n = Number.parseInt(v, 10);
    if (n > MAX_INT) this.fail(column, `Expected '${column}' to be at most ${MAX_INT}, but got ${v}`);
    else if (min !== undefined && n < min)
      this.fail(column, `Expected '${column}' to be at least ${min}, but got ${n}`);
    return n;
  }

  bool(column: string, fallback: boolean): boolean {
    const v = this.str(column, false);
    if (v === '') return fallback;
    if (TRUE.has(v) || TRUE.has(v.toLowerCase())) return true;
    if (FALSE.has(v) || FALSE.has(v.toLowerCase())) return false;
    this.fail(column, `Expected true or false in '${column}', but got '${v}'`);
    return fallback;
  }

  list(column: string): string[] {
    return splitList(this.values[column] ?? '');
  }

  department(column: string, ctx: ValidationContext): string {
    const v = this.str(column, true);
    if (v !== '' && !ctx.departments.has(v)) this.fail(column, `Expected a known department code, but got '${v}'`);
    return v;
  }

  departments(column: string, ctx: ValidationContext): string[] {
    const codes = this.list(column);
    for (const c of codes) {
      if (!ctx.departments.has(c)) this.fail(column, `Expected known department codes, but got '${c}'`);
    }
    return [...new Set(codes)];
  }

  scenario(column: string, required: boolean): ScenarioId | null {
    const v = this.str(column, required);
    if (v === '') return null;
    if (!SCENARIOS.has(v)) {
      this.fail(column, `Expected one of ${SCENARIO_IDS.join(', ')}, but got '${v}'`);
      return null;
    }
    return v as ScenarioId;
  }
}

function checkHeader(sheet: RawSheet, errors: CatalogRowError[]): boolean {
  let ok = true;
  for (const spec of SHEET_COLUMNS[sheet.name]) {
    if (spec.requiredColumn && !sheet.header.includes(spec.name)) {
      errors.push({
        sheet: sheet.name,
        row: 1,
        column: spec.name,
        message: `Expected a column '${spec.name}', but the header row lacks it`,
      });
      ok = false;
    }
  }
  return ok;
}

/** Records a duplicate code against the later row. */
function trackCode(seen: Map<string, number>, r: RowReader, code: string, row: number): void {
  if (code === '') return;
  const first = seen.get(code);
  if (first !== undefined) r.fail('code', `Expected a unique code, but '${code}' is already used in row ${first}`);
  else seen.set(code, row);
}

/**
 * Validates every row of the given sheets and converts them to typed catalog rows. Checks
 * required columns and values, code syntax, duplicate codes, numbers, department codes, scenario
 * ids, and that every parent (category, matter, scenario node) exists in the file or the database.
 * Returns all errors, never just the first, so one round of fixes is enough.
 */
export function validateCatalog(
  sheets: RawSheet[],
  ctx: ValidationContext,
): { data: CatalogData; errors: CatalogRowError[] } {
  const data = emptyCatalog();
  const errors: CatalogRowError[] = [];
  const byName = new Map(sheets.map((s) => [s.name, s]));
  const sheetOk = new Map(sheets.map((s) => [s.name, checkHeader(s, errors)]));
  const rowsOf = (name: SheetName) => (sheetOk.get(name) ? (byName.get(name)?.rows ?? []) : []);

  const categoryRows = new Map<string, number>();
  for (const { row, values } of rowsOf('categories')) {
    const r = new RowReader('categories', row, values, errors);
    const code = r.code('code');
    trackCode(categoryRows, r, code, row);
    data.categories.push({
      code,
      name_zh: r.str('name_zh', true),
      name_en: r.str('name_en', false),
      sort: r.int('sort', false, row - 1),
    });
  }

  const matterRows = new Map<string, number>();
  for (const { row, values } of rowsOf('matters')) {
    const r = new RowReader('matters', row, values, errors);
    const code = r.code('code');
    trackCode(matterRows, r, code, row);
    const category = r.str('category', true);
    if (category !== '' && !categoryRows.has(category) && !ctx.categories.has(category)) {
      r.fail(
        'category',
        `Expected an existing category code, but '${category}' is neither in the file nor in the catalog`,
      );
    }
    data.matters.push({
      code,
      category,
      name_zh: r.str('name_zh', true),
      name_en: r.str('name_en', false),
      description: r.str('description', false),
      sort: r.int('sort', false, row - 1),
    });
  }

  const situationRows = new Map<string, number>();
  for (const { row, values } of rowsOf('situations')) {
    const r = new RowReader('situations', row, values, errors);
    const code = r.code('code');
    trackCode(situationRows, r, code, row);
    const matter = r.str('matter', true);
    if (matter !== '' && !matterRows.has(matter) && !ctx.matters.has(matter)) {
      r.fail('matter', `Expected an existing matter code, but '${matter}' is neither in the file nor in the catalog`);
    }
    const lead = r.department('lead_department', ctx);
    const collaborators = r.departments('collaborators', ctx).filter((c) => c !== lead);
    data.situations.push({
      code,
      matter,
      name_zh: r.str('name_zh', true),
      description: r.str('description', false),
      lead_department: lead,
      collaborators,
      scenario: r.scenario('scenario', false),
      sla_working_hours: r.int('sla_working_hours', true, 0, 1),
      response_hours: r.int('response_hours', true, 0, 1),
      keywords: [...new Set(r.list('keywords'))],
      active: r.bool('active', true),
      sort: r.int('sort', false, row - 1),
    });
  }

  validateScenarioNodes(rowsOf('scenario_nodes'), ctx, data, errors);

  const listRows = new Map<string, number>();
  for (const { row, values } of rowsOf('one_matter_lists')) {
    const r = new RowReader('one_matter_lists', row, values, errors);
    const code = r.code('code');
    trackCode(listRows, r, code, row);
    const lead = r.department('lead_department', ctx);
    data.oneMatterLists.push({
      code,
      name_zh: r.str('name_zh', true),
      lead_department: lead,
      departments: r.departments('departments', ctx).filter((c) => c !== lead),
      scenario: r.scenario('scenario', false),
      sort: r.int('sort', false, row - 1),
    });
  }

  const order = (e: CatalogRowError) => SHEET_NAMES.indexOf(e.sheet);
  errors.sort((a, b) => order(a) - order(b) || a.row - b.row);
  return { data, errors };
}

const PARENT_KINDS: Record<ScenarioNodeKind, ScenarioNodeKind[] | null> = {
  stage: null,
  scene: null,
  link: ['stage', 'scene'],
  risk_point: ['link'],
};

function validateScenarioNodes(
  rows: RawSheet['rows'],
  ctx: ValidationContext,
  data: CatalogData,
  errors: CatalogRowError[],
): void {
  const nodeRows = new Map<string, number>();
  const inFile = new Map<string, { scenario: string; kind: ScenarioNodeKind }>();
  const pending: { r: RowReader; parent: string; scenario: string; kind: ScenarioNodeKind }[] = [];
  for (const { row, values } of rows) {
    const r = new RowReader('scenario_nodes', row, values, errors);
    const code = r.code('code');
    trackCode(nodeRows, r, code, row);
    const scenario = r.scenario('scenario', true);
    const kindText = r.str('kind', true);
    let kind: ScenarioNodeKind = 'link';
    if (kindText !== '' && !NODE_KINDS.has(kindText)) {
      r.fail('kind', `Expected one of stage, scene, link, risk_point, but got '${kindText}'`);
    } else if (kindText !== '') kind = kindText as ScenarioNodeKind;
    const parent = r.str('parent', false);
    if (code !== '' && scenario) inFile.set(code, { scenario, kind });
    if (scenario) pending.push({ r, parent, scenario, kind });
    data.scenarioNodes.push({
      code,
      scenario: (scenario ?? 'case-intake') as ScenarioId,
      kind,
      parent: parent === '' ? null : parent,
      name_zh: r.str('name_zh', true),
      sort: r.int('sort', false, row - 1),
    });
  }
  // Parents are checked after the whole sheet is read: a child row may come before its parent.
  for (const { r, parent, scenario, kind } of pending) {
    const allowed = PARENT_KINDS[kind];
    if (allowed === null) {
      if (parent !== '') r.fail('parent', `Expected no parent for a ${kind}, but got '${parent}'`);
      continue;
    }
    if (parent === '') {
      r.fail('parent', `Expected a parent (${allowed.join(' or ')}) for a ${kind}, but the cell is empty`);
      continue;
    }
    const p = inFile.get(parent) ?? ctx.scenarioNodes.get(parent);
    if (!p) {
      r.fail('parent', `Expected an existing scenario node, but '${parent}' is neither in the file nor in the catalog`);
    } else if (p.scenario !== scenario) {
      r.fail(
        'parent',
        `Expected parent '${parent}' to belong to scenario ${scenario}, but it belongs to ${p.scenario}`,
      );
    } else if (!allowed.includes(p.kind)) {
      r.fail(
        'parent',
        `Expected the parent of a ${kind} to be a ${allowed.join(' or ')}, but '${parent}' is a ${p.kind}`,
      );
    }
  }
}
