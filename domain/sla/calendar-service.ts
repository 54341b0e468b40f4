/**
 * The working calendar in force: the shipped holiday file (`processes/calendar/cn-holidays.json`)
 * with the years admins entered (`calendar_year`) put over it, installed as `defaultCalendar()` so
 * every synchronous caller — SLA workers, task service, dashboard, demo — uses it without I/O.
 *
 * - **Loading:** `load()` at platform start (before the workers) and after every change made through
 *   this service (an in-process refresh). Other processes on the same PostgreSQL database notice a
 *   change with `watch()`: every interval one cheap fingerprint query over the table
 *   (`calendarFingerprint`), and a reload only when it differs.
 * - **Fallback:** a year without holiday data counts plain weekdays (domain/sla/working-time.ts);
 *   the first computation that needs such a year logs one warning naming the years (years needed in
 *   the same tick are reported together, each year once), and `health()` reports them.
 * - **Changes:** `put` (enter or replace a year), `remove` (an admin-entered year; the shipped one,
 *   if any, comes back), `import` (a file in the shapes of the shipped file). Data is checked by
 *   holiday-data.ts first; a bad row found in the table on load is skipped with an error log, never
 *   fatal.
 */
import type { Knex } from 'knex';
import holidayFile from '../../processes/calendar/cn-holidays.json';
import {
  calendarFingerprint,
  deleteCalendarYear,
  listCalendarYears,
  upsertCalendarYear,
  type StoredCalendarYear,
  type StoredYearSource,
} from './calendar-store';
import {
  mergeHolidayData,
  normalizeHolidayYear,
  parseHolidayImport,
  validateHolidayYear,
  HolidayDataError,
  type ImportedYear,
} from './holiday-data';
import {
  computeSlaDueAt,
  setDefaultCalendar,
  shanghaiDate,
  WorkingCalendar,
  type HolidayData,
  type HolidayYear,
  type OfficeHours,
  type SlaTimes,
} from './working-time';

export interface CalendarLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface CalendarServiceOptions {
  db: Knex;
  log?: CalendarLog;
  /** Injected clock: today's year decides whether the calendar is in fallback right now. */
  now?: () => Date;
  /** The shipped holiday data (default the file). */
  shipped?: HolidayData;
  officeHours?: OfficeHours;
  /** Install each calendar built as `defaultCalendar()` (default true). */
  install?: boolean;
}

/** `GET /healthz` → `details.calendar`: a fallback is a warning, never a reason for a 503. */
export interface CalendarHealth {
  status: 'ok' | 'fallback';
  coveredFrom: string;
  coveredTo: string;
  provisionalYears: number[];
  /** Years without holiday data in use: this year if uncovered, and every year a computation needed. */
  fallbackYears: number[];
}

/** What the admin page shows above the list. */
export interface CalendarStatus extends CalendarHealth {
  /** Today in Asia/Shanghai (`YYYY-MM-DD`). */
  today: string;
  /** From November on, next year when it has no data yet (the State Council usually publishes then). */
  upcomingYear: number | null;
}

export type YearSource = 'file' | StoredYearSource;

export interface CalendarYearSummary {
  year: number;
  /** `file`: shipped with the software; `admin`: entered on the page; `import`: from a file. */
  source: YearSource;
  provisional: boolean;
  /** The notice the dates come from. */
  title: string;
  holidays: number;
  workdays: number;
  /** An admin-entered year that replaces the shipped one (deleting it brings that back). */
  overridesFile: boolean;
  updatedBy: string | null;
  updatedAt: string | null;
}

export interface CalendarYearDetail extends CalendarYearSummary {
  data: HolidayYear;
}

export type ImportAction = 'added' | 'replaced' | 'unchanged';

export interface ImportResult {
  dryRun: boolean;
  years: Array<{ year: number; action: ImportAction }>;
}

/** Stable JSON: jsonb does not keep key order, so compare with sorted keys. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** 2025–2027, 2029 */
export function yearRanges(years: readonly number[]): string {
  const sorted = [...new Set(years)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}–${sorted[j]}`);
    i = j;
  }
  return parts.join(', ');
}

export class CalendarService {
  private readonly db: Knex;
  private readonly log?: CalendarLog;
  private readonly now: () => Date;
  private readonly shipped: HolidayData;
  private readonly officeHours?: OfficeHours;
  private readonly install: boolean;
  private calendar: WorkingCalendar;
  private stored: StoredCalendarYear[] = [];
  private fingerprint: string | undefined;
  private loaded: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly warned = new Set<number>();
  private readonly pending = new Set<number>();

  constructor(options: CalendarServiceOptions) {
    this.db = options.db;
    this.log = options.log;
    this.now = options.now ?? (() => new Date());
    this.shipped = options.shipped ?? (holidayFile as HolidayData);
    this.officeHours = options.officeHours;
    this.install = options.install ?? true;
    this.calendar = this.build([]);
  }

  /** The calendar in force (also `defaultCalendar()` when installed). */
  current(): WorkingCalendar {
    return this.calendar;
  }

  private build(stored: readonly ImportedYear[]): WorkingCalendar {
    return new WorkingCalendar({
      data: mergeHolidayData(this.shipped, stored),
      officeHours: this.officeHours,
      onFallback: (year) => this.fellBack(year),
    });
  }

  private fellBack(year: number): void {
    if (this.warned.has(year)) return;
    if (this.pending.size === 0) queueMicrotask(() => this.flushWarnings());
    this.pending.add(year);
  }

  private flushWarnings(): void {
    const years = [...this.pending].filter((y) => !this.warned.has(y)).sort((a, b) => a - b);
    this.pending.clear();
    if (!years.length) return;
    for (const y of years) this.warned.add(y);
    const covered = yearRanges(this.calendar.coveredYears);
    this.log?.warn(
      { years, coveredYears: covered },
      `working calendar: no holiday data for ${yearRanges(years)} (the calendar covers ${covered}); working time there counts office hours on weekdays without public holidays or make-up days — add the year under /admin → 节假日 (docs/calendar.md)`,
    );
  }

  /** Serialises loads and changes so an older read never installs over a newer one. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Reads the stored years and installs the calendar they give. */
  load(): Promise<void> {
    const run = this.serial(() => this.reload());
    this.loaded = run.catch((err) => {
      this.loaded = undefined; // try again next time
      throw err;
    });
    return this.loaded;
  }

  /** Loads once (routes of an app whose platform did not load it yet). */
  ensureLoaded(): Promise<void> {
    return this.loaded ?? this.load();
  }

  private async reload(): Promise<void> {
    // Fingerprint first: a change between the two reads then shows as a difference next time.
    const fingerprint = await calendarFingerprint(this.db);
    const rows = await listCalendarYears(this.db);
    const usable: StoredCalendarYear[] = [];
    for (const r of rows) {
      try {
        usable.push({ ...r, data: validateHolidayYear(r.year, r.data) });
      } catch (err) {
        this.log?.error(
          { year: r.year, err },
          `calendar_year ${r.year} is not valid holiday data and is ignored; fix or delete it under /admin → 节假日`,
        );
      }
    }
    const calendar = this.build(usable);
    this.stored = rows;
    this.fingerprint = fingerprint;
    this.calendar = calendar;
    const covered = new Set(calendar.coveredYears);
    for (const y of [...this.warned]) if (covered.has(y)) this.warned.delete(y);
    if (this.install) setDefaultCalendar(calendar);
  }

  /** Reloads when another process changed the table; true when it did. */
  async refreshIfChanged(): Promise<boolean> {
    const fingerprint = await calendarFingerprint(this.db);
    if (fingerprint === this.fingerprint) return false;
    await this.load();
    return true;
  }

  /** Checks for other processes' changes every `intervalMs`; returns the stop function. */
  watch(intervalMs: number): () => void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.refreshIfChanged()
        .then(
          (changed) =>
            changed &&
            this.log?.info(
              { coveredYears: yearRanges(this.calendar.coveredYears) },
              'working calendar reloaded: holiday years were changed by another process',
            ),
        )
        .catch((err) =>
          this.log?.error(
            { err },
            'checking the calendar_year table for changes failed; keeping the calendar in force',
          ),
        )
        .finally(() => (busy = false));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** For /healthz: fallback years in use (never a failure). */
  health(): CalendarHealth {
    const cal = this.calendar;
    const thisYear = Number(shanghaiDate(this.now()).slice(0, 4));
    const fallback = new Set(cal.fallbackYears);
    if (!cal.coveredYears.includes(thisYear)) fallback.add(thisYear);
    const fallbackYears = [...fallback].sort((a, b) => a - b);
    return {
      status: fallbackYears.length ? 'fallback' : 'ok',
      coveredFrom: cal.coverage.from,
      coveredTo: cal.coverage.to,
      provisionalYears: cal.coverage.provisionalYears.map(Number),
      fallbackYears,
    };
  }

  /** For the admin page: health plus today and the year to enter soon. */
  status(): CalendarStatus {
    const today = shanghaiDate(this.now());
    const next = Number(today.slice(0, 4)) + 1;
    const health = this.health();
    const upcoming =
      today.slice(5) >= '11-01' && !this.calendar.coveredYears.includes(next) && !health.fallbackYears.includes(next)
        ? next
        : null;
    return { ...health, today, upcomingYear: upcoming };
  }

  /** Every year with data: shipped and stored, ascending. */
  list(): CalendarYearSummary[] {
    const years = new Set<number>([...Object.keys(this.shipped.years).map(Number), ...this.stored.map((s) => s.year)]);
    return [...years].sort((a, b) => a - b).map((y) => this.describe(y)!);
  }

  /** One year with its dates, or undefined. */
  get(year: number): CalendarYearDetail | undefined {
    return this.describe(year);
  }

  private describe(year: number): CalendarYearDetail | undefined {
    const stored = this.stored.find((s) => s.year === year);
    const file = this.shipped.years[String(year)];
    const data = stored?.data ?? (file ? normalizeHolidayYear(year, file) : undefined);
    if (!data) return undefined;
    return {
      year,
      source: stored ? stored.source : 'file',
      provisional: data.provisional,
      title: data.source?.title ?? '',
      holidays: Array.isArray(data.holidays) ? data.holidays.length : 0,
      workdays: Array.isArray(data.workdays) ? data.workdays.length : 0,
      overridesFile: Boolean(stored && file),
      updatedBy: stored?.updatedBy ?? null,
      updatedAt: stored ? stored.updatedAt.toISOString() : null,
      data,
    };
  }

  /** Enters or replaces a year; throws HolidayDataError when the data is not usable. */
  async put(year: number, input: unknown, by: string): Promise<{ created: boolean; year: CalendarYearDetail }> {
    const data = validateHolidayYear(year, input);
    return this.serial(async () => {
      const known = this.describe(year) !== undefined;
      await upsertCalendarYear(this.db, { year, data, source: 'admin', updatedBy: by, at: this.now() });
      await this.reload();
      return { created: !known, year: this.describe(year)! };
    });
  }

  /** Deletes an admin-entered year: `deleted` (and whether the shipped year is back), `shipped` (only the file has it), `missing`. */
  remove(
    year: number,
  ): Promise<{ outcome: 'deleted'; fileYearRestored: boolean } | { outcome: 'shipped' } | { outcome: 'missing' }> {
    return this.serial(async () => {
      if (await deleteCalendarYear(this.db, year)) {
        await this.reload();
        return { outcome: 'deleted' as const, fileYearRestored: Boolean(this.shipped.years[String(year)]) };
      }
      return this.shipped.years[String(year)] ? { outcome: 'shipped' as const } : { outcome: 'missing' as const };
    });
  }

  /**
   * Imports a file's years, all or nothing: each is `added` (no data before), `replaced`, or
   * `unchanged` (the same as the data in force; not written, so re-importing the shipped file stores
   * nothing). Throws HolidayDataError listing every problem of every year.
   */
  async import(json: unknown, options: { year?: number; dryRun?: boolean; by: string }): Promise<ImportResult> {
    const years = parseHolidayImport(json, { year: options.year });
    return this.serial(async () => {
      const plan = years.map((y) => {
        const current = this.describe(y.year);
        const action: ImportAction = !current
          ? 'added'
          : canonical(current.data) === canonical(y.data)
            ? 'unchanged'
            : 'replaced';
        return { ...y, action };
      });
      if (!options.dryRun && plan.some((p) => p.action !== 'unchanged')) {
        const at = this.now();
        await this.db.transaction(async (trx) => {
          for (const p of plan)
            if (p.action !== 'unchanged')
              await upsertCalendarYear(trx, {
                year: p.year,
                data: p.data,
                source: 'import',
                updatedBy: options.by,
                at,
              });
        });
        await this.reload();
      }
      return { dryRun: Boolean(options.dryRun), years: plan.map((p) => ({ year: p.year, action: p.action })) };
    });
  }

  /** A due date on the calendar in force (the admin page's 试算). */
  preview(start: Date, workingHours: number): SlaTimes {
    return computeSlaDueAt({ start, workingHours }, this.calendar);
  }
}

export { HolidayDataError };
