/** Checking entered and imported holiday years: every problem found, named by field, in plain words (English and Chinese). */
import holidayData from '../../processes/calendar/cn-holidays.json';
import {
  HolidayDataError,
  mergeHolidayData,
  parseHolidayImport,
  validateHolidayYear,
  type CalendarProblem,
} from '../../domain/sla/holiday-data';
import { WorkingCalendar, type HolidayData } from '../../domain/sla/working-time';

const shipped = holidayData as HolidayData;

/** A plausible 2028: 元旦 on Saturday 1 Jan (off Mon 3 Jan), 春节 from 除夕 (25 Jan) with two make-up days. */
const year2028 = () => ({
  provisional: false,
  source: { title: '国务院办公厅关于2028年部分节假日安排的通知', url: 'https://www.gov.cn/' },
  holidays: [
    { name: '元旦', from: '2028-01-01', to: '2028-01-03' },
    { name: '春节', from: '2028-01-25', to: '2028-02-01' },
    { name: '国庆节', from: '2028-10-01', to: '2028-10-07' },
  ],
  workdays: [
    { date: '2028-01-23', for: '春节' },
    { date: '2028-02-12', for: '春节' },
    { date: '2028-10-08', for: '国庆节' },
  ],
});

function problems(fn: () => unknown): CalendarProblem[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof HolidayDataError) return err.problems;
    throw err;
  }
  throw new Error('Expected HolidayDataError, but the data was accepted');
}
const fields = (ps: CalendarProblem[]) => ps.map((p) => p.field);

describe('validateHolidayYear', () => {
  it('accepts a good year and normalises it (trimmed, known fields, date order)', () => {
    const input = year2028();
    input.holidays.reverse();
    (input.holidays[0] as any).extra = 'dropped';
    input.holidays[1].name = '  春节 ';
    const y = validateHolidayYear(2028, input);
    expect(y.holidays.map((h) => h.name)).toEqual(['元旦', '春节', '国庆节']);
    expect(y.holidays[2]).toEqual({ name: '国庆节', from: '2028-10-01', to: '2028-10-07' });
    expect(y.source).toEqual({ title: '国务院办公厅关于2028年部分节假日安排的通知', url: 'https://www.gov.cn/' });
    expect(y.provisional).toBe(false);
  });

  it('accepts every year of the shipped file', () => {
    for (const [year, data] of Object.entries(shipped.years))
      expect(() => validateHolidayYear(Number(year), data)).not.toThrow();
  });

  it('reports overlapping holiday ranges, naming both', () => {
    const input = year2028();
    input.holidays.push({ name: '中秋节', from: '2028-10-03', to: '2028-10-05' });
    const ps = problems(() => validateHolidayYear(2028, input));
    expect(fields(ps)).toEqual(['holidays[3].from']);
    expect(ps[0].message).toBe(
      'holiday 4 (中秋节): 2028-10-03 … 2028-10-05 overlaps holiday 3 (国庆节), 2028-10-01 … 2028-10-07',
    );
    expect(ps[0].messageZh).toBe(
      '第 4 个假日（中秋节）：2028-10-03 至 2028-10-05 与第 3 个假日（国庆节）（2028-10-01 至 2028-10-07）重叠',
    );
  });

  it('reports a make-up working day that is not a weekend day, or lies inside a holiday, or is listed twice', () => {
    const input = year2028();
    input.workdays.push(
      { date: '2028-01-26', for: '春节' },
      { date: '2028-01-29', for: '春节' },
      { date: '2028-02-12', for: '春节' },
    );
    const ps = problems(() => validateHolidayYear(2028, input));
    expect(ps.map((p) => [p.field, p.message])).toEqual([
      [
        'workdays[3].date',
        'make-up working day 4 (2028-01-26): 2028-01-26 is a Wednesday, already a working day — a make-up working day (调休) is a Saturday or Sunday',
      ],
      [
        'workdays[3].date',
        'make-up working day 4 (2028-01-26): 2028-01-26 is inside the holiday 春节 (2028-01-25 … 2028-02-01)',
      ],
      [
        'workdays[4].date',
        'make-up working day 5 (2028-01-29): 2028-01-29 is inside the holiday 春节 (2028-01-25 … 2028-02-01)',
      ],
      [
        'workdays[5].date',
        'make-up working day 6 (2028-02-12): 2028-02-12 is listed twice (also as make-up working day 2)',
      ],
    ]);
    expect(ps[0].messageZh).toBe(
      '第 4 个调休上班日（2028-01-26）：2028-01-26 是星期三，本来就上班；调休上班日应为周六或周日',
    );
  });

  it('reports dates outside the year, pointing to the right year when later', () => {
    const input = year2028();
    input.holidays[2] = { name: '国庆节', from: '2029-10-01', to: '2029-10-07' };
    input.workdays[0] = { date: '2027-10-09', for: '国庆节' };
    const ps = problems(() => validateHolidayYear(2028, input));
    expect(ps.map((p) => [p.field, p.message])).toEqual([
      ['holidays[2].to', 'holiday 3 (国庆节): 2029-10-07 is not in 2028 — enter it under 2029'],
      ['holidays[2].from', 'holiday 3 (国庆节): 2029-10-01 is not in 2028 — enter it under 2029'],
      ['workdays[0].date', 'make-up working day 1 (2027-10-09): 2027-10-09 is not in 2028'],
      // 2028-10-08 (for 国庆节) is still fine: the holiday it is worked for is not checked against the list
    ]);
    expect(ps[0].messageZh).toBe('第 3 个假日（国庆节）：2029-10-07 不在 2028 年内，请录入到 2029 年');
  });

  it('lets a New Year holiday and its make-up day begin in the last days of the previous December, no earlier', () => {
    // 2019's notice: 元旦 2018-12-30 … 2019-01-01, Saturday 2018-12-29 worked
    const ok = {
      holidays: [{ name: '元旦', from: '2018-12-30', to: '2019-01-01' }],
      workdays: [{ date: '2018-12-29', for: '元旦' }],
    };
    expect(validateHolidayYear(2019, ok).workdays).toEqual([{ date: '2018-12-29', for: '元旦' }]);
    // a December make-up day without a holiday that crosses New Year is outside the year
    expect(
      fields(
        problems(() =>
          validateHolidayYear(2019, {
            holidays: [{ name: '元旦', from: '2019-01-01', to: '2019-01-01' }],
            workdays: [{ date: '2018-12-29', for: '元旦' }],
          }),
        ),
      ),
    ).toEqual(['workdays[0].date']);
    // a range starting more than a week before New Year is outside the year
    expect(
      fields(
        problems(() =>
          validateHolidayYear(2019, { holidays: [{ name: '元旦', from: '2018-12-20', to: '2019-01-01' }] }),
        ),
      ),
    ).toEqual(['holidays[0].from']);
  });

  it('reports bad dates, reversed and overlong ranges, missing names and a wrong weekday', () => {
    const ps = problems(() =>
      validateHolidayYear(2028, {
        holidays: [
          { name: '春节', from: '2028-02-30', to: '2028-03-01' },
          { name: '', from: '2028-05-05', to: '2028-05-01' },
          { name: '劳动节', from: '28-5-1', to: '2028-05-05' },
          { name: '国庆节', from: '2028-10-01', to: '2028-10-31' },
          { name: '清明节', from: '2028-04-02' },
        ],
        workdays: [{ date: '2028-10-08', for: '', weekday: 'Saturday' }, 'x'],
      }),
    );
    expect(ps.map((p) => [p.field, p.message])).toEqual([
      [
        'holidays[0].from',
        'holiday 1 (春节): the start date "2028-02-30" is not a date (write it as YYYY-MM-DD, e.g. 2028-01-01)',
      ],
      ['holidays[1].name', 'holiday 2: enter the name'],
      ['holidays[1].to', 'holiday 2: the end date 2028-05-01 is before the start date 2028-05-05'],
      [
        'holidays[2].from',
        'holiday 3 (劳动节): the start date "28-5-1" is not a date (write it as YYYY-MM-DD, e.g. 2028-01-01)',
      ],
      ['holidays[3].to', 'holiday 4 (国庆节): 2028-10-01 … 2028-10-31 is 31 days, longer than 15 — check the dates'],
      ['holidays[4].to', 'holiday 5 (清明节): enter the end date'],
      ['workdays[0].for', 'make-up working day 1 (2028-10-08): enter the holiday it is worked for'],
      [
        'workdays[0].weekday',
        'make-up working day 1 (2028-10-08): 2028-10-08 is a Sunday, not a Saturday — check the date',
      ],
      ['workdays[1]', 'make-up working day 2: expected a date and the holiday it is worked for'],
    ]);
    expect(ps.every((p) => p.messageZh.length > 0)).toBe(true);
  });

  it('rejects a year without holidays, a bad year and a bad provisional flag', () => {
    expect(fields(problems(() => validateHolidayYear(2028, { holidays: [] })))).toEqual(['holidays']);
    expect(fields(problems(() => validateHolidayYear(1999, year2028())))).toEqual(['year']);
    expect(fields(problems(() => validateHolidayYear(2028, { ...year2028(), provisional: 'yes' })))).toEqual([
      'provisional',
    ]);
    expect(fields(problems(() => validateHolidayYear(2028, [])))).toEqual(['file']);
  });
});

describe('parseHolidayImport', () => {
  it('reads one year, taking the year from its dates, a year field or the caller', () => {
    expect(parseHolidayImport(year2028()).map((y) => y.year)).toEqual([2028]);
    expect(parseHolidayImport({ year: 2028, ...year2028() }).map((y) => y.year)).toEqual([2028]);
    expect(parseHolidayImport(year2028(), { year: 2028 })[0].data.holidays).toHaveLength(3);
    // named as another year: the dates are then outside it
    expect(fields(problems(() => parseHolidayImport(year2028(), { year: 2029 })))).toContain('holidays[0].to');
    expect(fields(problems(() => parseHolidayImport({ year: 2028, ...year2028() }, { year: 2029 })))).toEqual(['year']);
  });

  it('asks for the year when the dates do not tell', () => {
    const mixed = {
      holidays: [
        { name: '元旦', from: '2028-01-01', to: '2028-01-01' },
        { name: '国庆节', from: '2029-10-01', to: '2029-10-07' },
      ],
    };
    const ps = problems(() => parseHolidayImport(mixed));
    expect(ps).toEqual([
      {
        field: 'year',
        message: expect.stringContaining('name the year'),
        messageZh: expect.stringContaining('请指定年份'),
      },
    ]);
  });

  it('reads the whole shipped file and a map of years, prefixing problems with the year', () => {
    expect(parseHolidayImport(shipped).map((y) => y.year)).toEqual([2025, 2026, 2027]);
    expect(parseHolidayImport({ '2028': year2028() }).map((y) => y.year)).toEqual([2028]);
    const bad = {
      ...shipped,
      years: { ...shipped.years, '2028': { ...year2028(), workdays: [{ date: '2028-01-26', for: '春节' }] } },
    };
    expect(fields(problems(() => parseHolidayImport(bad)))).toEqual([
      'years.2028.workdays[0].date',
      'years.2028.workdays[0].date',
    ]);
    expect(fields(problems(() => parseHolidayImport({ ...shipped, utcOffset: '+09:00' })))).toEqual(['utcOffset']);
    expect(fields(problems(() => parseHolidayImport({ years: { abc: year2028() } })))).toEqual(['years.abc']);
    expect(fields(problems(() => parseHolidayImport('[]')))).toEqual(['file']);
  });
});

describe('mergeHolidayData', () => {
  it('puts stored years over the shipped ones, and the calendar follows', () => {
    const data = mergeHolidayData(shipped, [{ year: 2028, data: validateHolidayYear(2028, year2028()) }]);
    const cal = new WorkingCalendar({ data });
    expect(cal.coveredYears).toEqual([2025, 2026, 2027, 2028]);
    expect(cal.isWorkingDay('2028-01-03')).toBe(false); // 元旦
    expect(cal.isWorkingDay('2028-01-23')).toBe(true); // make-up Sunday
    expect(cal.isFallback('2028-06-01')).toBe(false);
  });
});
