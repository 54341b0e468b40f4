/**
 * Beyond (and before) the years with holiday data the calendar counts plain weekdays instead of
 * failing, and says so: isFallback, fallbackYears, `fallback` on SLA times, and onFallback once per
 * year. Fixed instants only; no wall clock.
 */
import holidayData from '../../processes/calendar/cn-holidays.json';
import { computeSlaDueAt, formatShanghai, WorkingCalendar, type HolidayData } from '../../domain/sla/working-time';

const shipped = holidayData as HolidayData;
const iso = (d: Date) => formatShanghai(d);

/** A calendar over the shipped file that records the years it fell back to. */
function recording() {
  const years: number[] = [];
  const cal = new WorkingCalendar({ onFallback: (y) => years.push(y) });
  return { cal, years };
}

describe('after the last year with holiday data (2027)', () => {
  it('runs an SLA started 2027-12-30 16:00 into 2028 on plain weekdays, flagged provisional and fallback', () => {
    // given a Thursday 16:00 start two days before the data ends, and a 16-working-hour budget
    const { cal, years } = recording();
    const sla = computeSlaDueAt({ start: '2027-12-30T16:00:00+08:00', workingHours: 16 }, cal);
    // then Thu 1.5 h + Fri 7.5 h, the weekend off, and Mon 2028-01-03 (no New Year holiday known) 7 h
    expect(sla).toEqual({
      dueAt: '2028-01-03T17:00:00+08:00',
      warnAt: '2028-01-03T13:48:00+08:00',
      mode: 'working',
      provisional: true,
      fallback: true,
    });
    // and the calendar reported 2028 once
    expect(years).toEqual([2028]);
    expect(cal.fallbackYears).toEqual([2028]);
  });

  it('counts Monday–Friday office hours in 2029, with weekends and the lunch break off', () => {
    const { cal, years } = recording();
    // Monday 2029-03-05 09:00 + 8 h: 3 h before lunch, 4 h after, 1 h on Tuesday
    expect(iso(cal.addWorkingHours('2029-03-05T09:00:00+08:00', 8))).toBe('2029-03-06T09:30:00+08:00');
    // Friday 2029-03-09 17:00 + 1 h: 0.5 h Friday, 0.5 h Monday
    expect(iso(cal.addWorkingHours('2029-03-09T17:00:00+08:00', 1))).toBe('2029-03-12T09:00:00+08:00');
    // 1 Jan and 1 Oct are ordinary weekdays there
    expect(cal.isWorkingDay('2029-01-01')).toBe(true);
    expect(cal.isWorkingDay('2029-10-01')).toBe(true);
    expect(cal.isWorkingDay('2029-10-06')).toBe(false); // Saturday
    expect(cal.holidayName('2029-10-01')).toBeUndefined();
    expect(iso(cal.addWorkingDays('2029-03-08T10:00:00+08:00', 2))).toBe('2029-03-12T17:30:00+08:00');
    expect(years).toEqual([2029]);
  });

  it('measures working time across the boundary and stays the inverse of addWorkingHours', () => {
    const cal = new WorkingCalendar();
    expect(cal.workingHoursBetween('2027-12-31T08:30:00+08:00', '2028-01-04T08:30:00+08:00')).toBe(15);
    for (const start of ['2027-12-30T16:00:00+08:00', '2027-12-31T12:30:00+08:00', '2028-06-30T17:00:00+08:00']) {
      for (const hours of [0.5, 7.5, 16, 100])
        expect(cal.workingHoursBetween(start, cal.addWorkingHours(start, hours))).toBeCloseTo(hours, 9);
    }
  });

  it('reports each fallback year once, however often it is needed', () => {
    const { cal, years } = recording();
    for (let i = 0; i < 50; i++) cal.addWorkingHours('2028-05-10T10:00:00+08:00', 40);
    cal.workingHoursBetween('2027-06-01T10:00:00+08:00', '2030-02-01T10:00:00+08:00');
    cal.isWorkingTime('2028-05-10T10:00:00+08:00');
    expect(years).toEqual([2028, 2029, 2030]);
    expect(cal.fallbackYears).toEqual([2028, 2029, 2030]);
  });

  it('keeps isProvisional and coverage as they were: 2027 provisional, 2028 neither provisional nor covered', () => {
    const cal = new WorkingCalendar();
    expect(cal.isProvisional('2027-12-31')).toBe(true);
    expect(cal.isProvisional('2028-01-03')).toBe(false);
    expect(cal.isFallback('2027-12-31')).toBe(false);
    expect(cal.isFallback('2028-01-01')).toBe(true);
    expect(cal.coverage).toEqual({ from: '2025-01-01', to: '2027-12-31', provisionalYears: ['2027'] });
    expect(cal.coveredYears).toEqual([2025, 2026, 2027]);
    // a computation that stays within the data is not fallback
    expect(computeSlaDueAt({ start: '2026-03-02T09:00:00+08:00', workingHours: 8 }, cal).fallback).toBe(false);
    expect(cal.fallbackYears).toEqual([]);
  });
});

describe('before the first year with holiday data (2025)', () => {
  it('falls back to plain weekdays too, with the same report, and meets the 2025 New Year holiday', () => {
    const { cal, years } = recording();
    // Monday 2024-12-30 17:00 + 1 h: 0.5 h Monday, 0.5 h Tuesday 31 Dec
    expect(iso(cal.addWorkingHours('2024-12-30T17:00:00+08:00', 1))).toBe('2024-12-31T09:00:00+08:00');
    // Tuesday 31 Dec 17:00 + 1 h: 1 Jan 2025 is 元旦 in the data, so Thursday 2 Jan
    expect(iso(cal.addWorkingHours('2024-12-31T17:00:00+08:00', 1))).toBe('2025-01-02T09:00:00+08:00');
    // 1 Oct 2024 (National Day in reality) is an ordinary Tuesday without data
    expect(cal.isWorkingDay('2024-10-01')).toBe(true);
    expect(computeSlaDueAt({ start: '2024-12-31T17:00:00+08:00', workingHours: 1 }, cal)).toMatchObject({
      provisional: false,
      fallback: true,
    });
    expect(years).toEqual([2024]);
  });
});

describe('years with gaps and New Year holidays that start in December', () => {
  it('falls back in a missing year between two covered ones', () => {
    const data: HolidayData = { ...shipped, years: { '2025': shipped.years['2025'], '2027': shipped.years['2027'] } };
    const years: number[] = [];
    const cal = new WorkingCalendar({ data, onFallback: (y) => years.push(y) });
    // 2026-10-01 is National Day in the 2026 data left out here: a Thursday like any other
    expect(cal.isWorkingDay('2026-10-01')).toBe(true);
    expect(cal.isWorkingDay('2025-10-01')).toBe(false);
    expect(cal.isWorkingDay('2027-10-01')).toBe(false);
    expect(cal.isFallback('2026-06-01')).toBe(true);
    expect(cal.coverage).toMatchObject({ from: '2025-01-01', to: '2027-12-31' });
    expect(years).toEqual([2026]);
  });

  it('applies a New Year holiday and its make-up Saturday listed in the previous December (the 2019 notice)', () => {
    // given 2019 only: 元旦 2018-12-30 … 2019-01-01, with Saturday 2018-12-29 worked
    const data: HolidayData = {
      timeZone: 'Asia/Shanghai',
      utcOffset: '+08:00',
      years: {
        '2019': {
          provisional: false,
          source: { title: '2019', url: null },
          holidays: [{ name: '元旦', from: '2018-12-30', to: '2019-01-01' }],
          workdays: [{ date: '2018-12-29', for: '元旦' }],
        },
      },
    };
    const cal = new WorkingCalendar({ data });
    // then those December days follow the notice although 2018 itself falls back
    expect(cal.isWorkingDay('2018-12-29')).toBe(true);
    expect(cal.isWorkingDay('2018-12-31')).toBe(false);
    expect(cal.isWorkingDay('2018-12-28')).toBe(true);
    expect(cal.isFallback('2018-12-31')).toBe(true);
    expect(cal.holidayName('2018-12-31')).toBe('元旦');
  });
});
