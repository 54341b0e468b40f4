/**
 * The file format shared by import and export: one sheet (XLSX worksheet or CSV file) per table,
 * the first row holding these column names. List cells hold codes or keywords separated by `;`
 * (`；`, `、`, `|` and `,` are accepted on import too).
 */
export const SHEET_NAMES = ['categories', 'matters', 'situations', 'scenario_nodes', 'one_matter_lists'] as const;
export type SheetName = (typeof SHEET_NAMES)[number];

export type ColumnType = 'string' | 'int' | 'list' | 'bool';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** The column must be in the header row. */
  requiredColumn: boolean;
  /** Every row must give a value. */
  requiredValue: boolean;
}

const col = (name: string, type: ColumnType, required: boolean, requiredValue = required): ColumnSpec => ({
  name,
  type,
  requiredColumn: required,
  requiredValue,
});

export const SHEET_COLUMNS: Record<SheetName, ColumnSpec[]> = {
  categories: [
    col('code', 'string', true),
    col('name_zh', 'string', true),
    col('name_en', 'string', false),
    col('sort', 'int', false),
  ],
  matters: [
    col('code', 'string', true),
    col('category', 'string', true),
    col('name_zh', 'string', true),
    col('name_en', 'string', false),
    col('description', 'string', false),
    col('sort', 'int', false),
  ],
  situations: [
    col('code', 'string', true),
    col('matter', 'string', true),
    col('name_zh', 'string', true),
    col('description', 'string', false),
    col('lead_department', 'string', true),
    col('collaborators', 'list', true, false),
    col('scenario', 'string', true, false),
    col('sla_working_hours', 'int', true),
    col('response_hours', 'int', true),
    col('keywords', 'list', true, false),
    col('active', 'bool', false),
    col('sort', 'int', false),
  ],
  scenario_nodes: [
    col('code', 'string', true),
    col('scenario', 'string', true),
    col('kind', 'string', true),
    col('parent', 'string', true, false),
    col('name_zh', 'string', true),
    col('sort', 'int', false),
  ],
  one_matter_lists: [
    col('code', 'string', true),
    col('name_zh', 'string', true),
    col('lead_department', 'string', true),
    col('departments', 'list', true, false),
    col('scenario', 'string', true, false),
    col('sort', 'int', false),
  ],
};

/** A sheet as read from a file, before validation: every cell a trimmed string. */
export interface RawSheet {
  name: SheetName;
  header: string[];
  /** `row` is the 1-based row number in the file (the header is row 1). */
  rows: { row: number; values: Record<string, string> }[];
}

/** Splits a list cell: `market;planning`, `漏水；渗水、开裂`. */
export function splitList(cell: string): string[] {
  return cell
    .split(/[;；、|,，]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export const LIST_SEPARATOR = ';';

/** Maps a file name (`situations.csv`, `2026-catalog-situations.csv`) to its sheet, if any. */
export function sheetFromFileName(fileName: string): SheetName | undefined {
  const base = fileName
    .replace(/^.*[\\/]/, '')
    .replace(/\.[^.]+$/, '')
    .toLowerCase()
    .replace(/-/g, '_');
  // Longest names first so `scenario_nodes` wins over a shorter suffix match.
  const byLength = [...SHEET_NAMES].sort((a, b) => b.length - a.length);
  return byLength.find((s) => base === s || base.endsWith(`_${s}`) || base.endsWith(`.${s}`));
}
