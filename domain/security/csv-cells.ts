/**
 * CSV formula injection (CWE-1236): a spreadsheet program opening a CSV runs a cell that starts with
 * `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(…)`, `=cmd|…`), and some also after a leading tab
 * or carriage return. Every CSV this platform writes (dashboard figures, the catalog export) carries
 * text that citizens, staff or imported files chose, so each *text* cell starting with one of those
 * characters gets a leading apostrophe, which spreadsheet programs show as plain text (OWASP's
 * advice). Numbers are written as numbers: `-3` as a number is no formula.
 *
 * The catalog's CSV import reverses it ({@link unescapeCsvCell}), so an export imports back unchanged.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function escapeCsvCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** An exported cell read back: the apostrophe added by {@link escapeCsvCell} comes off again. */
export function unescapeCsvCell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

/** csv-stringify's `cast` option applying {@link escapeCsvCell} to every string cell. */
export const CSV_SAFE_CAST = { string: (value: string) => escapeCsvCell(value) } as const;
