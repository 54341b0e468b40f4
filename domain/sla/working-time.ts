/**
 * Working-time arithmetic for SLA due dates (pure: no I/O, no clock, no environment).
 *
 * The calendar is China's: official holidays (放假) and adjusted working days (调休上班, weekend days
 * that are worked) come from `processes/calendar/cn-holidays.json`, office hours from configuration
 * (default Mon–Fri 08:30–12:00 and 13:30–17:30). All wall-clock reasoning happens in
 * **Asia/Shanghai**, computed with a fixed +08:00 offset: China has had no daylight saving time since
 * 1991, so the offset is exact for every date the calendar covers and we need no tz database.
 *
 * 2027's entries in the data file are **provisional** (the State Council notice was not published when
 * the file was written); {@link WorkingCalendar.isProvisional} tells callers when a result depends on
 * them. A year without holiday data — after the last year of the data, before the first, or a gap —
 * **falls back** to plain weekdays: office hours on the configured weekdays (Mon–Fri), no holidays
 * and no make-up days. The calendar says so instead of failing: {@link WorkingCalendar.isFallback},
 * {@link WorkingCalendar.fallbackYears}, `fallback` on {@link SlaTimes}, and the `onFallback` option
 * (called once per year, the first time a computation needs it — the platform logs a warning there).
 * Admins add years at run time (domain/sla/calendar-service.ts); docs/calendar.md.
 */
import holidayData from '../../processes/calendar/cn-holidays.json';

/** The zone every local date and office hour refers to. */
export const SLA_TIME_ZONE = 'Asia/Shanghai';
/** Asia/Shanghai's UTC offset; constant because China observes no DST. */
export const SLA_UTC_OFFSET = '+08:00';
const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** One office-hours period of a working day, minutes after local midnight, `[start, end)`. */
export interface OfficePeriod {
  start: number;
  end: number;
}

export interface OfficeHours {
  /** Ordered, non-overlapping periods of a working day. */
  periods: OfficePeriod[];
  /** ISO weekdays (1 = Monday … 7 = Sunday) that are working days unless a holiday. */
  weekdays: number[];
}

/** 08:30–12:00 and 13:30–17:30, Monday to Friday — the usual government office day. */
export const DEFAULT_OFFICE_HOURS: OfficeHours = {
  periods: [
    { start: 8 * 60 + 30, end: 12 * 60 },
    { start: 13 * 60 + 30, end: 17 * 60 + 30 },
  ],
  weekdays: [1, 2, 3, 4, 5],
};

/** An official holiday (放假): local dates `from` … `to`, inclusive. */
export interface HolidayEntry {
  name: string;
  nameEn?: string;
  from: string;
  to: string;
  provisional?: boolean;
}

/** An adjusted working day (调休上班): a weekend day worked `for` a holiday. */
export interface WorkdayEntry {
  date: string;
  for: string;
  provisional?: boolean;
}

/** One year of holiday data, as in `processes/calendar/cn-holidays.json` (`years["2026"]`). */
export interface HolidayYear {
  provisional: boolean;
  source: { title: string; url: string | null };
  holidays: HolidayEntry[];
  workdays: WorkdayEntry[];
}

/** Shape of `processes/calendar/cn-holidays.json`. */
export interface HolidayData {
  timeZone: string;
  utcOffset: string;
  years: Record<string, HolidayYear>;
}

/** A time given to the calendar: a Date, an ISO string with offset, or epoch milliseconds. */
export type Instant = Date | string | number;

/**
 * Parses office hours like `08:30-12:00,13:30-17:30` (the `SLA_OFFICE_HOURS` setting) and optional
 * weekdays like `1-5` or `1,2,3,4,5,6`.
 */
export function parseOfficeHours(periods: string, weekdays = '1-5'): OfficeHours {
  const parsed = periods.split(',').map((part) => {
    const m = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(part);
    if (!m) throw new Error(`Expected office hours like "08:30-12:00", but got "${part}"`);
    const start = Number(m[1]) * 60 + Number(m[2]);
    const end = Number(m[3]) * 60 + Number(m[4]);
    if (Number(m[2]) > 59 || Number(m[4]) > 59 || end > 24 * 60 || start >= end) {
      throw new Error(`Expected a period with start before end within one day, but got "${part}"`);
    }
    return { start, end };
  });
  parsed.sort((a, b) => a.start - b.start);
  for (let i = 1; i < parsed.length; i++) {
    if (parsed[i].start < parsed[i - 1].end)
      throw new Error(`Expected non-overlapping office periods, but got "${periods}"`);
  }
  const days = new Set<number>();
  for (const part of weekdays.split(',')) {
    const m = /^\s*([1-7])\s*(?:-\s*([1-7]))?\s*$/.exec(part);
    if (!m) throw new Error(`Expected ISO weekdays like "1-5" or "1,2,3", but got "${weekdays}"`);
    for (let d = Number(m[1]); d <= Number(m[2] ?? m[1]); d++) days.add(d);
  }
  return { periods: parsed, weekdays: [...days].sort() };
}

/** Parses an instant; strings must carry an offset or `Z` so no zone is guessed. */
export function toEpochMs(t: Instant): number {
  if (t instanceof Date) return checkFinite(t.getTime(), String(t));
  if (typeof t === 'number') return checkFinite(t, String(t));
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(t.trim())) {
    throw new Error(`Expected an ISO date-time with an offset (e.g. 2025-01-27T09:00:00+08:00), but got "${t}"`);
  }
  return checkFinite(Date.parse(t), t);
}

function checkFinite(ms: number, raw: string): number {
  if (!Number.isFinite(ms)) throw new Error(`Expected a valid date-time, but got "${raw}"`);
  return ms;
}

/** Formats an instant as ISO 8601 in Asia/Shanghai with an explicit `+08:00` offset. */
export function formatShanghai(t: Instant): string {
  const local = new Date(toEpochMs(t) + OFFSET_MS).toISOString(); // wall clock, labelled Z
  const withoutZ = local.slice(0, -1);
  const trimmed = withoutZ.endsWith('.000') ? withoutZ.slice(0, -4) : withoutZ;
  return `${trimmed}${SLA_UTC_OFFSET}`;
}

/** The Asia/Shanghai calendar date (`YYYY-MM-DD`) of an instant. */
export function shanghaiDate(t: Instant): string {
  return new Date(toEpochMs(t) + OFFSET_MS).toISOString().slice(0, 10);
}

/** Local day number (days since 1970-01-01 in Asia/Shanghai) and ms into that local day. */
function split(ms: number): { day: number; msOfDay: number } {
  const local = ms + OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  return { day, msOfDay: local - day * DAY_MS };
}

function dayStartMs(day: number): number {
  return day * DAY_MS - OFFSET_MS;
}

function dayToDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function dateToDay(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export interface WorkingCalendarOptions {
  officeHours?: OfficeHours;
  data?: HolidayData;
  /**
   * Called the first time a computation needs a year without holiday data (once per year and
   * calendar), synchronously; the calendar then counts that year's weekdays. Must not throw.
   */
  onFallback?: (year: number) => void;
}

/** The calendar year (Gregorian, local) of a local day number. */
function yearOfDay(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/**
 * China's working calendar over the years in the holiday data, with configurable office hours;
 * plain weekdays in years without data (see the module comment).
 * All methods accept {@link Instant}s and return epoch-based `Date`s (format with {@link formatShanghai}).
 */
export class WorkingCalendar {
  readonly officeHours: OfficeHours;
  private readonly holidays = new Map<number, string>();
  private readonly workdays = new Map<number, string>();
  private readonly provisionalDays = new Set<number>();
  private readonly firstDay: number;
  private readonly lastDay: number;
  private readonly provisionalYears: string[];
  private readonly years: number[];
  /** Covered local days as `[first, last]` runs of consecutive covered years. */
  private readonly coveredRuns: Array<[number, number]> = [];
  private readonly fallbackUsed = new Set<number>();
  private readonly onFallback?: (year: number) => void;

  constructor(options: WorkingCalendarOptions = {}) {
    const data = options.data ?? (holidayData as HolidayData);
    this.officeHours = options.officeHours ?? DEFAULT_OFFICE_HOURS;
    this.onFallback = options.onFallback;
    if (this.officeHours.periods.length === 0) throw new Error('Expected at least one office period, but got none');
    if (data.utcOffset !== SLA_UTC_OFFSET) {
      throw new Error(`Expected holiday data in ${SLA_UTC_OFFSET} (${SLA_TIME_ZONE}), but got ${data.utcOffset}`);
    }
    const years = Object.keys(data.years)
      .map(Number)
      .sort((a, b) => a - b);
    if (years.length === 0) throw new Error('Expected at least one year of holiday data, but got none');
    this.years = years;
    this.firstDay = dateToDay(`${years[0]}-01-01`);
    this.lastDay = dateToDay(`${years[years.length - 1]}-12-31`);
    for (const y of years) {
      const run = this.coveredRuns[this.coveredRuns.length - 1];
      if (run && yearOfDay(run[1]) === y - 1) run[1] = dateToDay(`${y}-12-31`);
      else this.coveredRuns.push([dateToDay(`${y}-01-01`), dateToDay(`${y}-12-31`)]);
    }
    this.provisionalYears = years.filter((y) => data.years[y].provisional).map(String);
    // Years in order: a later year's entry wins on a day both name (a New Year holiday that starts
    // in the previous December belongs to the later year's notice).
    for (const y of years) {
      const year = data.years[y];
      const own = new Set<number>();
      for (const h of year.holidays) {
        for (let d = dateToDay(h.from); d <= dateToDay(h.to); d++) {
          this.holidays.set(d, h.name);
          this.workdays.delete(d);
          own.add(d);
          if (year.provisional || h.provisional) this.provisionalDays.add(d);
        }
      }
      for (const w of year.workdays) {
        const d = dateToDay(w.date);
        if (own.has(d)) throw new Error(`Expected ${w.date} to be either a holiday or a working day, but it is both`);
        this.holidays.delete(d);
        this.workdays.set(d, w.for);
        if (year.provisional || w.provisional) this.provisionalDays.add(d);
      }
    }
  }

  /** First and last local dates of the years with holiday data (years between them may be missing: {@link coveredYears}). */
  get coverage(): { from: string; to: string; provisionalYears: string[] } {
    return { from: dayToDate(this.firstDay), to: dayToDate(this.lastDay), provisionalYears: this.provisionalYears };
  }

  /** The years with holiday data, ascending. */
  get coveredYears(): number[] {
    return [...this.years];
  }

  /** The years without holiday data that computations on this calendar have needed so far, ascending. */
  get fallbackYears(): number[] {
    return [...this.fallbackUsed].sort((a, b) => a - b);
  }

  private covered(day: number): boolean {
    for (const [first, last] of this.coveredRuns) if (day >= first && day <= last) return true;
    return false;
  }

  /** Whether a local date (`YYYY-MM-DD`) lies in a year without holiday data (plain weekdays there). */
  isFallback(date: string): boolean {
    return !this.covered(dateToDay(date));
  }

  private isWorkingDayNumber(day: number): boolean {
    if (!this.covered(day)) {
      const year = yearOfDay(day);
      if (!this.fallbackUsed.has(year)) {
        this.fallbackUsed.add(year);
        this.onFallback?.(year);
      }
    }
    if (this.holidays.has(day)) return false;
    if (this.workdays.has(day)) return true;
    const isoWeekday = (((day + 4) % 7) + 7) % 7 || 7; // 1970-01-01 was a Thursday
    return this.officeHours.weekdays.includes(isoWeekday);
  }

  /** Whether a local date (`YYYY-MM-DD`) or the local date of an instant is a working day. */
  isWorkingDay(date: string | Date | number): boolean {
    const day =
      typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date) ? dateToDay(date) : split(toEpochMs(date)).day;
    return this.isWorkingDayNumber(day);
  }

  /** The holiday name (e.g. 春节) for a local date, if any. */
  holidayName(date: string): string | undefined {
    return this.holidays.get(dateToDay(date));
  }

  /**
   * Whether a local date's status comes from provisional (unpublished) data: any date of a provisional
   * year (an ordinary-looking day may still become a holiday or a make-up day), or an entry flagged so.
   */
  isProvisional(date: string): boolean {
    return this.provisionalYears.includes(date.slice(0, 4)) || this.provisionalDays.has(dateToDay(date));
  }

  /** Whether `t` falls inside office hours of a working day (period starts inclusive, ends exclusive). */
  isWorkingTime(t: Instant): boolean {
    const { day, msOfDay } = split(toEpochMs(t));
    if (!this.isWorkingDayNumber(day)) return false;
    return this.officeHours.periods.some((p) => msOfDay >= p.start * 60_000 && msOfDay < p.end * 60_000);
  }

  /**
   * The instant `hours` working hours after `start`. Time outside office hours does not count, so a
   * start on a Saturday begins counting at the next working day's opening. Zero hours returns `start`
   * itself. A result that lands exactly on a period's end stays there (12:00, not 13:30).
   */
  addWorkingHours(start: Instant, hours: number): Date {
    if (!Number.isFinite(hours) || hours < 0)
      throw new Error(`Expected a non-negative number of working hours, but got ${hours}`);
    const startMs = toEpochMs(start);
    let remaining = Math.round(hours * HOUR_MS);
    if (remaining === 0) return new Date(startMs);
    let { day, msOfDay } = split(startMs);
    for (;;) {
      if (this.isWorkingDayNumber(day)) {
        for (const p of this.officeHours.periods) {
          const end = p.end * 60_000;
          if (end <= msOfDay) continue;
          const from = Math.max(p.start * 60_000, msOfDay);
          if (remaining <= end - from) return new Date(dayStartMs(day) + from + remaining);
          remaining -= end - from;
        }
      }
      day += 1;
      msOfDay = 0;
    }
  }

  /**
   * Deadline of "within `days` working days" (N个工作日内): the day of `start` is not counted
   * (期间开始的当日不计入), so the result is the closing time of the `days`-th working day after the
   * local date of `start`. Zero days returns `start`.
   */
  addWorkingDays(start: Instant, days: number): Date {
    if (!Number.isInteger(days) || days < 0)
      throw new Error(`Expected a whole non-negative number of working days, but got ${days}`);
    const startMs = toEpochMs(start);
    if (days === 0) return new Date(startMs);
    let { day } = split(startMs);
    let counted = 0;
    while (counted < days) {
      day += 1;
      if (this.isWorkingDayNumber(day)) counted += 1;
    }
    const close = this.officeHours.periods[this.officeHours.periods.length - 1].end;
    return new Date(dayStartMs(day) + close * 60_000);
  }

  /** Working hours in `[a, b)`; negative when `b` is before `a`. */
  workingHoursBetween(a: Instant, b: Instant): number {
    const aMs = toEpochMs(a);
    const bMs = toEpochMs(b);
    if (bMs < aMs) return -this.workingHoursBetween(bMs, aMs);
    const first = split(aMs).day;
    const last = split(bMs).day;
    let total = 0;
    for (let day = first; day <= last; day++) {
      if (!this.isWorkingDayNumber(day)) continue;
      const base = dayStartMs(day);
      for (const p of this.officeHours.periods) {
        const from = Math.max(base + p.start * 60_000, aMs);
        const to = Math.min(base + p.end * 60_000, bMs);
        if (to > from) total += to - from;
      }
    }
    return total / HOUR_MS;
  }
}

/** An SLA counted in working hours on the calendar (most case steps). */
export interface WorkingSlaInput {
  start: Instant;
  workingHours: number;
  /** Warn when this share of the budget is used (default 0.8). Ignored when `warnBeforeHours` is set. */
  warnRatio?: number;
  /** Warn this many working hours before the due time instead. */
  warnBeforeHours?: number;
}

/** An SLA counted in natural minutes, around the clock (e.g. the fire-lane grace period). */
export interface NaturalSlaInput {
  start: Instant;
  naturalMinutes: number;
  warnRatio?: number;
  warnBeforeMinutes?: number;
}

export interface SlaTimes {
  /** ISO 8601 with `+08:00`, ready for a BPMN timer (`=slaDueAt`). */
  dueAt: string;
  warnAt: string;
  mode: 'working' | 'natural';
  /** True when the result depends on provisional (unpublished) holiday data. */
  provisional: boolean;
  /** True when the result counts days of a year without holiday data (plain weekdays, no holidays). */
  fallback: boolean;
}

function checkRatio(r: number): number {
  if (!Number.isFinite(r) || r < 0 || r > 1) throw new Error(`Expected warnRatio between 0 and 1, but got ${r}`);
  return r;
}

/**
 * Due and warning (yellow-card) times of an SLA. Working mode counts office hours on the calendar;
 * natural mode counts wall-clock minutes and needs no calendar data.
 */
export function computeSlaDueAt(
  input: WorkingSlaInput | NaturalSlaInput,
  calendar: WorkingCalendar = defaultCalendar(),
): SlaTimes {
  const startMs = toEpochMs(input.start);
  if ('naturalMinutes' in input) {
    const minutes = input.naturalMinutes;
    if (!Number.isFinite(minutes) || minutes < 0)
      throw new Error(`Expected non-negative naturalMinutes, but got ${minutes}`);
    const warnMinutes =
      input.warnBeforeMinutes !== undefined
        ? Math.max(0, minutes - input.warnBeforeMinutes)
        : minutes * checkRatio(input.warnRatio ?? 0.8);
    return {
      dueAt: formatShanghai(startMs + Math.round(minutes * 60_000)),
      warnAt: formatShanghai(startMs + Math.round(warnMinutes * 60_000)),
      mode: 'natural',
      provisional: false,
      fallback: false,
    };
  }
  const hours = input.workingHours;
  const warnHours =
    input.warnBeforeHours !== undefined
      ? Math.max(0, hours - input.warnBeforeHours)
      : hours * checkRatio(input.warnRatio ?? 0.8);
  const due = calendar.addWorkingHours(startMs, hours);
  const warn = calendar.addWorkingHours(startMs, warnHours);
  let provisional = false;
  let fallback = false;
  for (let d = split(startMs).day; d <= split(due.getTime()).day && !(provisional && fallback); d++) {
    const date = dayToDate(d);
    provisional ||= calendar.isProvisional(date);
    fallback ||= calendar.isFallback(date);
  }
  return { dueAt: formatShanghai(due), warnAt: formatShanghai(warn), mode: 'working', provisional, fallback };
}

let shared: WorkingCalendar | undefined;
/**
 * The calendar every caller uses: the one installed by {@link setDefaultCalendar} (the platform's
 * CalendarService installs shipped years overridden by admin-entered ones, and re-installs it after
 * each change), else the shipped holiday data with default office hours (built once).
 */
export function defaultCalendar(): WorkingCalendar {
  shared ??= new WorkingCalendar();
  return shared;
}

/** Makes `calendar` the {@link defaultCalendar} (synchronous callers pick it up at once); `undefined` resets to the shipped data. */
export function setDefaultCalendar(calendar: WorkingCalendar | undefined): void {
  shared = calendar;
}
