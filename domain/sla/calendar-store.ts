/** The `calendar_year` rows (db/migrations/20261203090000_calendar_year.ts): holiday years entered by admins. */
import type { Knex } from 'knex';
import type { HolidayYear } from './working-time';

export type StoredYearSource = 'admin' | 'import';

export interface StoredCalendarYear {
  year: number;
  data: HolidayYear;
  provisional: boolean;
  source: StoredYearSource;
  updatedBy: string;
  updatedAt: Date;
}

interface Row {
  year: number;
  data: HolidayYear | string;
  provisional: boolean;
  source: StoredYearSource;
  updated_by: string;
  updated_at: Date | string;
}

const fromRow = (r: Row): StoredCalendarYear => ({
  year: Number(r.year),
  data: typeof r.data === 'string' ? (JSON.parse(r.data) as HolidayYear) : r.data,
  provisional: r.provisional,
  source: r.source,
  updatedBy: r.updated_by,
  updatedAt: new Date(r.updated_at),
});

/** Every stored year, ascending. */
export async function listCalendarYears(db: Knex): Promise<StoredCalendarYear[]> {
  return ((await db('calendar_year').select('*').orderBy('year')) as Row[]).map(fromRow);
}

/** Writes a year (insert or replace); true when it was new. */
export async function upsertCalendarYear(
  db: Knex,
  y: { year: number; data: HolidayYear; source: StoredYearSource; updatedBy: string; at: Date },
): Promise<boolean> {
  const existed = await db('calendar_year').where({ year: y.year }).first('year');
  await db('calendar_year')
    .insert({
      year: y.year,
      data: JSON.stringify(y.data),
      provisional: y.data.provisional,
      source: y.source,
      updated_by: y.updatedBy,
      updated_at: y.at,
    })
    .onConflict('year')
    .merge(['data', 'provisional', 'source', 'updated_by', 'updated_at']);
  return !existed;
}

/** Deletes a stored year; false when there was none. */
export async function deleteCalendarYear(db: Knex, year: number): Promise<boolean> {
  // `returning` rather than the affected count, which PGlite's knex client does not report
  const deleted = await db('calendar_year').where({ year }).delete().returning('year');
  return deleted.length > 0;
}

/**
 * A fingerprint of the whole table (years, contents, flags): one cheap query over a handful of
 * rows, so another process's change is noticed without reading the data.
 */
export async function calendarFingerprint(db: Knex): Promise<string> {
  const { rows } = await db.raw(
    `select count(*)::int as n, coalesce(md5(string_agg(year::text || ':' || md5(data::text) || ':' || provisional::text || ':' || source, ',' order by year)), '') as fp from calendar_year`,
  );
  return `${rows[0].n}:${rows[0].fp}`;
}
