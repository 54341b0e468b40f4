/**
 * Holiday data entered at run time: one year (放假 ranges and 调休 working days) checked before it
 * reaches the calendar, and import files in the shapes of `processes/calendar/cn-holidays.json`
 * (the whole file, a `{"2028": {…}}` map, or one year's entry). Pure: no I/O, no clock.
 *
 * Every problem names its field (`holidays[1].to`, `years.2028.workdays[0].date`) and says what is
 * wrong in plain words, in English (`message`) and Chinese (`messageZh`), so the admin page can show
 * it as it is. Rules: dates are real `YYYY-MM-DD` dates within the year (a New Year holiday may begin
 * in the last days of the previous December, as 2024's did, and its 调休 day may lie there too);
 * a range ends on or after its start and lasts at most {@link MAX_HOLIDAY_DAYS} days; holiday ranges
 * do not overlap; a 调休 day is a Saturday or Sunday, not inside a holiday, and listed once.
 */
import type { HolidayData, HolidayEntry, HolidayYear, WorkdayEntry } from './working-time';
import { SLA_UTC_OFFSET } from './working-time';

/** The years the calendar accepts at run time. */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;
/** The longest holiday range accepted (the longest official one so far is 9 days). */
export const MAX_HOLIDAY_DAYS = 15;
/** How early in the previous December a New Year holiday (and its 调休 day) may begin. */
const NEW_YEAR_LEAD_DAYS = 7;

/** One problem of entered or imported holiday data. */
export interface CalendarProblem {
  /** Where: `holidays[1].to`, `workdays[0].date`, `years.2028.holidays`, `year`, `file`. */
  field: string;
  message: string;
  messageZh: string;
}

/** Holiday data that cannot be used; `problems` lists every fault found (not only the first). */
export class HolidayDataError extends Error {
  constructor(readonly problems: CalendarProblem[]) {
    super(
      `Expected valid holiday data, but found ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
    );
    this.name = 'HolidayDataError';
  }
}

const DAY_MS = 86_400_000;
const WEEKDAYS_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const WEEKDAYS_ZH = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const dayOf = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
const weekdayOf = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();

/** A real calendar date written `YYYY-MM-DD` (2028-02-30 is not). */
export function isIsoDate(v: unknown): v is string {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const ms = Date.parse(`${v}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === v;
}

/** Whether `year` is a whole number the calendar accepts. */
export function isCalendarYear(year: unknown): year is number {
  return typeof year === 'number' && Number.isInteger(year) && year >= MIN_YEAR && year <= MAX_YEAR;
}

class Collector {
  readonly problems: CalendarProblem[] = [];
  constructor(private readonly prefix: string) {}
  add(field: string, message: string, messageZh: string): void {
    this.problems.push({
      field: this.prefix ? (field ? `${this.prefix}.${field}` : this.prefix) : field || 'file',
      message,
      messageZh,
    });
  }
}

/** "holiday 2 (春节)" / "第 2 个假日（春节）". */
// eslint-disable-next-line no-control-regex -- control characters are what is being removed
const CONTROL_CHARS = /[\u0000-\u001f\u007f]+/g;

/** A notice title as plain one-line text of at most 300 characters. */
function plainTitle(s: string): string {
  return s.replace(CONTROL_CHARS, ' ').trim().slice(0, 300);
}

function holidayLabel(i: number, name: unknown): { en: string; zh: string } {
  const n = typeof name === 'string' && name.trim() ? name.trim() : '';
  return { en: `holiday ${i + 1}${n ? ` (${n})` : ''}`, zh: `第 ${i + 1} 个假日${n ? `（${n}）` : ''}` };
}
function workdayLabel(i: number, date: unknown): { en: string; zh: string } {
  const d = typeof date === 'string' && date ? date : '';
  return {
    en: `make-up working day ${i + 1}${d ? ` (${d})` : ''}`,
    zh: `第 ${i + 1} 个调休上班日${d ? `（${d}）` : ''}`,
  };
}

function text(
  c: Collector,
  field: string,
  v: unknown,
  label: { en: string; zh: string },
  what: { en: string; zh: string },
): string | undefined {
  if (typeof v !== 'string' || !v.trim()) {
    c.add(field, `${label.en}: enter the ${what.en}`, `${label.zh}：请填写${what.zh}`);
    return undefined;
  }
  if (v.trim().length > 50) {
    c.add(field, `${label.en}: the ${what.en} is longer than 50 characters`, `${label.zh}：${what.zh}超过 50 个字`);
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v)) {
    c.add(
      field,
      `${label.en}: the ${what.en} contains control characters (line breaks, tabs…)`,
      `${label.zh}：${what.zh}含有换行、制表等控制字符`,
    );
    return undefined;
  }
  return v.trim();
}

function date(
  c: Collector,
  field: string,
  v: unknown,
  label: { en: string; zh: string },
  what: { en: string; zh: string },
): string | undefined {
  if (v === undefined || v === null || v === '') {
    c.add(field, `${label.en}: enter the ${what.en}`, `${label.zh}：请填写${what.zh}`);
    return undefined;
  }
  if (!isIsoDate(v)) {
    const shown = typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
    c.add(
      field,
      `${label.en}: the ${what.en} ${shown} is not a date (write it as YYYY-MM-DD, e.g. 2028-01-01)`,
      `${label.zh}：${what.zh} ${shown} 不是有效日期（格式为 年-月-日，如 2028-01-01）`,
    );
    return undefined;
  }
  return v;
}

function flag(c: Collector, field: string, v: unknown, label: { en: string; zh: string }): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') {
    c.add(field, `${label.en}: "provisional" must be true or false`, `${label.zh}：“暂定”只能是 true 或 false`);
    return undefined;
  }
  return v;
}

/**
 * Checks one year of holiday data and returns it normalised (trimmed names, known fields only,
 * holidays and 调休 days in date order); throws {@link HolidayDataError} with every problem found.
 * `prefix` is put before each field (`years.2028`).
 */
export function validateHolidayYear(year: number, input: unknown, prefix = ''): HolidayYear {
  const c = new Collector(prefix);
  const result = checkYear(c, year, input);
  if (c.problems.length || !result) throw new HolidayDataError(c.problems);
  return result;
}

function checkYear(c: Collector, year: number, input: unknown): HolidayYear | undefined {
  if (!isCalendarYear(year)) {
    c.add(
      'year',
      `the year ${String(year)} is not between ${MIN_YEAR} and ${MAX_YEAR}`,
      `年份 ${String(year)} 不在 ${MIN_YEAR}–${MAX_YEAR} 之间`,
    );
    return undefined;
  }
  if (!isObject(input)) {
    c.add(
      '',
      `expected one year's holidays and make-up working days, but got ${Array.isArray(input) ? 'a list' : typeof input}`,
      '内容应为一年的放假安排（假日和调休上班日）',
    );
    return undefined;
  }
  const yearLabel = { en: `${year}`, zh: `${year} 年` };
  const provisional = flag(c, 'provisional', input.provisional, yearLabel) ?? false;

  let source: HolidayYear['source'] = { title: '', url: null };
  if (typeof input.source === 'string') source = { title: plainTitle(input.source), url: null };
  else if (isObject(input.source)) {
    const title = input.source.title;
    const url = input.source.url;
    if (title !== undefined && title !== null && typeof title !== 'string')
      c.add('source.title', `${year}: the notice title must be text`, `${year} 年：通知名称应为文字`);
    if (
      url !== undefined &&
      url !== null &&
      (typeof url !== 'string' || (url !== '' && !/^https?:\/\/\S+$/.test(url)))
    ) {
      c.add(
        'source.url',
        `${year}: the notice link must be a web address (http:// or https://)`,
        `${year} 年：通知链接应为网址（http:// 或 https://）`,
      );
    }
    source = {
      title: typeof title === 'string' ? plainTitle(title) : '',
      url: typeof url === 'string' && url ? url : null,
    };
  } else if (input.source !== undefined && input.source !== null) {
    c.add('source', `${year}: the source must name the notice`, `${year} 年：来源应写明通知名称`);
  }

  const first = dayOf(`${year}-01-01`);
  const last = dayOf(`${year}-12-31`);
  const earliest = first - NEW_YEAR_LEAD_DAYS;
  const outside = (field: string, label: { en: string; zh: string }, d: string) =>
    c.add(
      field,
      `${label.en}: ${d} is not in ${year}${dayOf(d) > last ? ` — enter it under ${Number(d.slice(0, 4))}` : ''}`,
      `${label.zh}：${d} 不在 ${year} 年内${dayOf(d) > last ? `，请录入到 ${Number(d.slice(0, 4))} 年` : ''}`,
    );

  const holidays: Array<HolidayEntry & { index: number }> = [];
  if (!Array.isArray(input.holidays)) {
    c.add('holidays', `${year}: expected a list of holidays`, `${year} 年：缺少假日列表`);
  } else if (input.holidays.length === 0) {
    c.add('holidays', `${year}: enter at least one holiday`, `${year} 年：请至少填写一个假日`);
  } else {
    input.holidays.forEach((raw: unknown, i: number) => {
      const f = `holidays[${i}]`;
      const label = holidayLabel(i, isObject(raw) ? raw.name : undefined);
      if (!isObject(raw))
        return c.add(f, `${label.en}: expected a name with start and end dates`, `${label.zh}：应包含名称和起止日期`);
      const name = text(c, `${f}.name`, raw.name, label, { en: 'name', zh: '名称' });
      const from = date(c, `${f}.from`, raw.from, label, { en: 'start date', zh: '开始日期' });
      const to = date(c, `${f}.to`, raw.to, label, { en: 'end date', zh: '结束日期' });
      const prov = flag(c, `${f}.provisional`, raw.provisional, label);
      if (raw.nameEn !== undefined && typeof raw.nameEn !== 'string')
        c.add(`${f}.nameEn`, `${label.en}: the English name must be text`, `${label.zh}：英文名称应为文字`);
      if (!from || !to) return;
      let ok = true;
      if (dayOf(to) < dayOf(from)) {
        c.add(
          `${f}.to`,
          `${label.en}: the end date ${to} is before the start date ${from}`,
          `${label.zh}：结束日期 ${to} 早于开始日期 ${from}`,
        );
        ok = false;
      } else if (dayOf(to) - dayOf(from) + 1 > MAX_HOLIDAY_DAYS) {
        c.add(
          `${f}.to`,
          `${label.en}: ${from} … ${to} is ${dayOf(to) - dayOf(from) + 1} days, longer than ${MAX_HOLIDAY_DAYS} — check the dates`,
          `${label.zh}：${from} 至 ${to} 共 ${dayOf(to) - dayOf(from) + 1} 天，超过 ${MAX_HOLIDAY_DAYS} 天，请核对日期`,
        );
        ok = false;
      }
      if (dayOf(to) < first || dayOf(to) > last) {
        outside(`${f}.to`, label, to);
        ok = false;
      }
      // A New Year holiday may start in the previous December (2024: 2023-12-30 … 2024-01-01).
      if (dayOf(from) > last || dayOf(from) < earliest || (dayOf(from) < first && dayOf(to) < first)) {
        outside(`${f}.from`, label, from);
        ok = false;
      }
      if (ok && name)
        holidays.push({
          index: i,
          name,
          ...(typeof raw.nameEn === 'string' && raw.nameEn.trim() ? { nameEn: raw.nameEn.trim() } : {}),
          from,
          to,
          ...(prov ? { provisional: true } : {}),
        });
    });
  }

  const sorted = [...holidays].sort((a, b) => dayOf(a.from) - dayOf(b.from) || a.index - b.index);
  for (let j = 1; j < sorted.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = sorted[i];
      const b = sorted[j];
      if (dayOf(b.from) <= dayOf(a.to)) {
        const la = holidayLabel(a.index, a.name);
        const lb = holidayLabel(b.index, b.name);
        c.add(
          `holidays[${b.index}].from`,
          `${lb.en}: ${b.from} … ${b.to} overlaps ${la.en}, ${a.from} … ${a.to}`,
          `${lb.zh}：${b.from} 至 ${b.to} 与${la.zh}（${a.from} 至 ${a.to}）重叠`,
        );
      }
    }
  }
  const holidayAt = (d: number) => holidays.find((h) => d >= dayOf(h.from) && d <= dayOf(h.to));
  const newYearStartsEarly = holidays.some((h) => dayOf(h.from) < first);

  const workdays: Array<WorkdayEntry & { index: number }> = [];
  if (input.workdays !== undefined && input.workdays !== null && !Array.isArray(input.workdays)) {
    c.add('workdays', `${year}: expected a list of make-up working days`, `${year} 年：调休上班日应为列表`);
  } else {
    const seen = new Map<string, number>();
    ((input.workdays as unknown[] | undefined) ?? []).forEach((raw: unknown, i: number) => {
      const f = `workdays[${i}]`;
      const label = workdayLabel(i, isObject(raw) ? raw.date : undefined);
      if (!isObject(raw))
        return c.add(
          f,
          `${label.en}: expected a date and the holiday it is worked for`,
          `${label.zh}：应包含日期和对应的假日`,
        );
      const d = date(c, `${f}.date`, raw.date, label, { en: 'date', zh: '日期' });
      const forName = text(c, `${f}.for`, raw.for, label, { en: 'holiday it is worked for', zh: '对应的假日' });
      const prov = flag(c, `${f}.provisional`, raw.provisional, label);
      if (!d) return;
      let ok = true;
      const day = dayOf(d);
      if (day > last || day < earliest || (day < first && !newYearStartsEarly)) {
        outside(`${f}.date`, label, d);
        ok = false;
      }
      const wd = weekdayOf(d);
      if (wd !== 0 && wd !== 6) {
        c.add(
          `${f}.date`,
          `${label.en}: ${d} is a ${WEEKDAYS_EN[wd]}, already a working day — a make-up working day (调休) is a Saturday or Sunday`,
          `${label.zh}：${d} 是${WEEKDAYS_ZH[wd]}，本来就上班；调休上班日应为周六或周日`,
        );
        ok = false;
      }
      if (
        typeof raw.weekday === 'string' &&
        raw.weekday.trim() &&
        raw.weekday.trim().toLowerCase() !== WEEKDAYS_EN[wd].toLowerCase()
      ) {
        c.add(
          `${f}.weekday`,
          `${label.en}: ${d} is a ${WEEKDAYS_EN[wd]}, not a ${raw.weekday.trim()} — check the date`,
          `${label.zh}：${d} 是${WEEKDAYS_ZH[wd]}，不是 ${raw.weekday.trim()}，请核对日期`,
        );
        ok = false;
      }
      const h = holidayAt(day);
      if (h) {
        c.add(
          `${f}.date`,
          `${label.en}: ${d} is inside the holiday ${h.name} (${h.from} … ${h.to})`,
          `${label.zh}：${d} 在假日${h.name}（${h.from} 至 ${h.to}）之内`,
        );
        ok = false;
      }
      const before = seen.get(d);
      if (before !== undefined) {
        c.add(
          `${f}.date`,
          `${label.en}: ${d} is listed twice (also as make-up working day ${before + 1})`,
          `${label.zh}：${d} 重复填写（与第 ${before + 1} 个调休上班日相同）`,
        );
        ok = false;
      } else seen.set(d, i);
      if (ok && forName) workdays.push({ index: i, date: d, for: forName, ...(prov ? { provisional: true } : {}) });
    });
  }
  if (c.problems.length) return undefined;
  return {
    provisional,
    source,
    holidays: sorted.map(({ index: _i, ...h }) => h),
    workdays: workdays.sort((a, b) => dayOf(a.date) - dayOf(b.date)).map(({ index: _i, ...w }) => w),
  };
}

/** One year read from an import file. */
export interface ImportedYear {
  year: number;
  data: HolidayYear;
}

/**
 * Reads an import file's JSON: the whole `cn-holidays.json` (`{years: {"2028": …}}`), a map of years
 * (`{"2028": …}`), or one year's entry (`{provisional, source, holidays, workdays}`, its year taken
 * from `year` — the argument, or a `year` field — else from its holidays' dates). Checks every year;
 * throws {@link HolidayDataError} with all problems, or returns the years in order.
 */
export function parseHolidayImport(json: unknown, options: { year?: number } = {}): ImportedYear[] {
  const c = new Collector('');
  if (!isObject(json)) {
    c.add(
      'file',
      'the file must hold one year of holidays (or the whole holiday file) as a JSON object',
      '文件内容应为一年的放假安排（或完整的节假日文件），JSON 对象格式',
    );
    throw new HolidayDataError(c.problems);
  }
  let entries: Array<[string, unknown]>;
  let prefixed = true;
  if ('years' in json) {
    if (json.utcOffset !== undefined && json.utcOffset !== SLA_UTC_OFFSET) {
      c.add(
        'utcOffset',
        `the file's dates are in ${String(json.utcOffset)}, but the calendar is in ${SLA_UTC_OFFSET} (Asia/Shanghai)`,
        `文件的时区为 ${String(json.utcOffset)}，日历使用北京时间（${SLA_UTC_OFFSET}）`,
      );
    }
    if (!isObject(json.years) || Object.keys(json.years).length === 0) {
      c.add('years', 'the file names no years', '文件中没有任何年份');
      throw new HolidayDataError(c.problems);
    }
    entries = Object.entries(json.years).map(([k, v]) => [`years.${k}`, v]);
  } else if (Object.keys(json).length > 0 && Object.keys(json).every((k) => /^\d{4}$/.test(k))) {
    entries = Object.entries(json);
  } else {
    prefixed = false;
    const inferred = inferYear(json);
    const named = json.year === undefined ? undefined : Number(json.year);
    const year = options.year ?? named ?? inferred;
    if (json.year !== undefined && !isCalendarYear(named))
      c.add(
        'year',
        `the year ${JSON.stringify(json.year)} is not between ${MIN_YEAR} and ${MAX_YEAR}`,
        `年份 ${JSON.stringify(json.year)} 不在 ${MIN_YEAR}–${MAX_YEAR} 之间`,
      );
    else if (options.year !== undefined && named !== undefined && named !== options.year) {
      c.add(
        'year',
        `the file is for ${named}, but it is being imported as ${options.year}`,
        `文件写的是 ${named} 年，但导入为 ${options.year} 年`,
      );
    }
    if (year === undefined) {
      c.add(
        'year',
        "which year is this? The holidays' dates span several years: name the year",
        '无法判断年份（假日日期跨了多个年份），请指定年份',
      );
    }
    if (c.problems.length || year === undefined) throw new HolidayDataError(c.problems);
    entries = [[String(year), json]];
  }
  const out: ImportedYear[] = [];
  for (const [key, value] of entries) {
    const yearText = key.replace(/^years\./, '');
    const year = /^\d{4}$/.test(yearText) ? Number(yearText) : NaN;
    const sub = new Collector(prefixed ? key : '');
    if (!isCalendarYear(year)) {
      sub.add(
        '',
        `"${yearText}" is not a year between ${MIN_YEAR} and ${MAX_YEAR}`,
        `“${yearText}”不是 ${MIN_YEAR}–${MAX_YEAR} 之间的年份`,
      );
    } else {
      const data = checkYear(sub, year, value);
      if (data && !sub.problems.length) out.push({ year, data });
    }
    c.problems.push(...sub.problems);
  }
  if (c.problems.length) throw new HolidayDataError(c.problems);
  return out.sort((a, b) => a.year - b.year);
}

/** The one year all holidays end in, if they agree. */
function inferYear(json: Record<string, unknown>): number | undefined {
  if (!Array.isArray(json.holidays)) return undefined;
  const years = new Set(
    json.holidays
      .map((h) => (isObject(h) && isIsoDate(h.to) ? Number(h.to.slice(0, 4)) : undefined))
      .filter((y) => y !== undefined),
  );
  return years.size === 1 ? [...years][0] : undefined;
}

/** A year of holiday data as the calendar compares it (normalised; extra fields of the shipped file dropped). */
export function normalizeHolidayYear(year: number, data: HolidayYear): HolidayYear {
  return validateHolidayYear(year, data);
}

/** The shipped data with stored years put over it (a stored year replaces the shipped one entirely). */
export function mergeHolidayData(shipped: HolidayData, stored: readonly ImportedYear[]): HolidayData {
  const years: Record<string, HolidayYear> = { ...shipped.years };
  for (const s of stored) years[String(s.year)] = s.data;
  return { ...shipped, years };
}
