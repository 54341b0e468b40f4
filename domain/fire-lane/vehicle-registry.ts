/**
 * The vehicle registry: plate → owner. Imported from CSV (`npm run vehicles:import -- file.csv`);
 * the import checks every row first and writes nothing if any row is bad, listing each problem with
 * its CSV line number, so a district can fix its spreadsheet and import again.
 *
 * CSV columns (header row required; English or Chinese names): `plate`/`车牌号`,
 * `owner_name`/`车主姓名`, `owner_phone`/`手机号`, optional `compound`/`小区`.
 */
import { parse } from 'csv-parse/sync';
import type { Knex } from 'knex';
import { maskPhone, normalizeMobile } from '../notify/mask';
import { isReadablePlate, normalizePlate } from './plates';
import { piiKeyring } from '../privacy/pii-crypto';
import { openVehicle } from '../privacy/personal-data';

export interface VehicleRecord {
  plate: string;
  ownerName: string;
  ownerPhone: string;
  compound: string | null;
}

export interface ImportError {
  /** CSV line number (the header is line 1). */
  row: number;
  field: string;
  message: string;
}

export interface ImportResult {
  imported: number;
  errors: ImportError[];
}

const HEADERS: Record<string, keyof VehicleRecord> = {
  plate: 'plate',
  车牌号: 'plate',
  车牌: 'plate',
  owner_name: 'ownerName',
  车主姓名: 'ownerName',
  车主: 'ownerName',
  owner_phone: 'ownerPhone',
  手机号: 'ownerPhone',
  联系电话: 'ownerPhone',
  compound: 'compound',
  小区: 'compound',
};
const REQUIRED: (keyof VehicleRecord)[] = ['plate', 'ownerName', 'ownerPhone'];

/** Parses and checks a registry CSV; every problem is reported with its line number. */
export function parseVehicleCsv(text: string): { records: VehicleRecord[]; errors: ImportError[] } {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    return { records: [], errors: [{ row: line, field: '', message: `not valid CSV: ${(err as Error).message}` }] };
  }
  const errors: ImportError[] = [];
  const header = (rows[0] ?? []).map((h) => HEADERS[h.trim().toLowerCase()] ?? HEADERS[h.trim()]);
  const COLUMN: Record<string, [string, string]> = {
    plate: ['plate', '车牌号'],
    ownerName: ['owner_name', '车主姓名'],
    ownerPhone: ['owner_phone', '手机号'],
  };
  for (const field of REQUIRED) {
    if (!header.includes(field))
      errors.push({
        row: 1,
        field: COLUMN[field][0],
        message: `expected a column ${COLUMN[field][0]} (${COLUMN[field][1]})`,
      });
  }
  if (errors.length) return { records: [], errors };

  const records: VehicleRecord[] = [];
  const seen = new Map<string, number>();
  rows.slice(1).forEach((cells, i) => {
    const line = i + 2;
    if (cells.every((c) => c.trim() === '')) return; // blank line
    const get = (f: keyof VehicleRecord) => (cells[header.indexOf(f)] ?? '').trim();
    const plate = normalizePlate(get('plate'));
    const ownerName = get('ownerName');
    let ownerPhone = '';
    if (!isReadablePlate(plate))
      errors.push({
        row: line,
        field: 'plate',
        message: `expected a mainland plate like 浙B10001, but got "${get('plate')}"`,
      });
    else if (seen.has(plate))
      errors.push({ row: line, field: 'plate', message: `plate ${plate} is already on line ${seen.get(plate)}` });
    if (!ownerName) errors.push({ row: line, field: 'owner_name', message: 'expected the owner’s name' });
    else if (ownerName.length > 100)
      errors.push({ row: line, field: 'owner_name', message: 'expected at most 100 characters' });
    try {
      ownerPhone = normalizeMobile(get('ownerPhone'));
    } catch {
      errors.push({
        row: line,
        field: 'owner_phone',
        message: `expected a mainland mobile number, but got "${maskPhone(get('ownerPhone'))}"`,
      });
    }
    seen.set(plate, line);
    records.push({ plate, ownerName, ownerPhone, compound: get('compound') || null });
  });
  return { records: errors.length ? [] : records, errors };
}

/** Imports a registry CSV: all rows or none. Existing plates get the new owner. */
export async function importVehicleCsv(
  db: Knex,
  text: string,
  options: { source?: string; now?: Date } = {},
): Promise<ImportResult> {
  const { records, errors } = parseVehicleCsv(text);
  if (errors.length) return { imported: 0, errors };
  await upsertVehicles(db, records, options);
  return { imported: records.length, errors: [] };
}

export async function upsertVehicles(
  db: Knex,
  records: VehicleRecord[],
  options: { source?: string; now?: Date } = {},
): Promise<void> {
  const now = options.now ?? new Date();
  // 500 rows per statement keeps the parameter count far below PostgreSQL's 65,535.
  for (let i = 0; i < records.length; i += 500) {
    await db('vehicle')
      .insert(
        records.slice(i, i + 500).map((r) => ({
          plate: r.plate,
          // sealed at rest (domain/privacy): opened only for the SMS
          owner_name: piiKeyring().encrypt(r.ownerName),
          owner_phone: piiKeyring().encrypt(r.ownerPhone),
          compound: r.compound,
          source: options.source ?? 'import',
          updated_at: now,
        })),
      )
      .onConflict('plate')
      .merge(['owner_name', 'owner_phone', 'compound', 'source', 'updated_at']);
  }
}

/** The owner of a plate (full phone: for the SMS only — mask it anywhere else). */
export async function findVehicle(db: Knex, plate: string): Promise<VehicleRecord | undefined> {
  const r = await db('vehicle')
    .where({ plate: normalizePlate(plate) })
    .first('plate', 'owner_name', 'owner_phone', 'compound');
  if (!r) return undefined;
  const o = openVehicle(r);
  return { plate: o.plate, ownerName: o.owner_name, ownerPhone: o.owner_phone, compound: o.compound };
}

export function formatImportErrors(errors: ImportError[]): string {
  return errors.map((e) => `line ${e.row}${e.field ? `, ${e.field}` : ''}: ${e.message}`).join('\n');
}
