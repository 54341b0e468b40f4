/**
 * `?format=csv` for every dashboard figure: the figure's rows, nested values flattened to dotted
 * columns (`reduction.days`), UTF-8 with a BOM so spreadsheet programs show Chinese correctly; text
 * cells that a spreadsheet would run as a formula get a leading apostrophe (domain/security/csv-cells.ts).
 */
import { stringify } from 'csv-stringify/sync';
import { CSV_SAFE_CAST } from '../../domain/security/csv-cells';

type Flat = Record<string, string | number | boolean | null>;

function flatten(value: unknown, prefix = '', out: Flat = {}): Flat {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value)) out[prefix] = value.join(';');
  else out[prefix] = (value ?? null) as Flat[string];
  return out;
}

export function toCsv(rows: readonly unknown[]): string {
  const flat = rows.map((r) => flatten(r));
  const columns = [...new Set(flat.flatMap((r) => Object.keys(r)))];
  return stringify([columns, ...flat.map((r) => columns.map((c) => r[c] ?? ''))], {
    bom: true,
    record_delimiter: '\n',
    cast: CSV_SAFE_CAST,
  });
}

/** The rows a figure exports. */
export function figureRows(figure: string, body: any): unknown[] {
  switch (figure) {
    case 'overview':
      return [
        { section: 'created', key: 'all', value: body.created.cases },
        { section: 'closed', key: 'all', value: body.closed.cases },
        ...(['open', 'dueSoon', 'overdue', 'escalated'] as const).map((k) => ({
          section: 'open',
          key: k,
          value: body.open[k === 'open' ? 'cases' : k],
        })),
        ...body.byChannel.map((r: any) => ({ section: 'channel', key: r.key, value: r.cases })),
        ...body.byScenario.map((r: any) => ({ section: 'scenario', key: r.key, value: r.cases })),
        ...body.byStatus.map((r: any) => ({ section: 'status', key: r.key, value: r.cases })),
        ...Object.entries(body.rates).map(([k, r]: [string, any]) => ({
          section: 'rate',
          key: k,
          value: r.rate,
          met: r.met,
          total: r.total,
        })),
      ];
    case 'rates':
      return (['response', 'resolution', 'satisfaction'] as const).map((k) => ({
        rate: k,
        met: body[k].met,
        total: body[k].total,
        percent: body[k].rate,
      }));
    case 'sla':
    case 'rankings':
      return body.rows;
    case 'warnings':
      return body.tasks;
    case 'heatmap':
      return body.elements;
    case 'timeseries':
      return body.points;
    case 'reform-effect':
      return body.scenarios;
    case 'fire-lane':
      return [body];
    default:
      return [];
  }
}
