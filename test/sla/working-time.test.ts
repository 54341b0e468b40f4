import holidayData from '../../processes/calendar/cn-holidays.json';
import {
  computeSlaDueAt,
  formatShanghai,
  parseOfficeHours,
  shanghaiDate,
  WorkingCalendar,
  type HolidayData,
} from '../../domain/sla/working-time';

const cal = new WorkingCalendar();
const iso = (d: Date) => formatShanghai(d);

describe('WorkingCalendar.addWorkingHours', () => {
  it('skips the lunch break', () => {
    // given a Monday 11:00 start
    // when two working hours are added
    const due = cal.addWorkingHours('2025-03-03T11:00:00+08:00', 2);
    // then one hour is before lunch and one after 13:30
    expect(iso(due)).toBe('2025-03-03T14:30:00+08:00');
  });

  it('ends exactly at a period end instead of jumping to the next period', () => {
    expect(iso(cal.addWorkingHours('2025-03-03T11:00:00+08:00', 1))).toBe('2025-03-03T12:00:00+08:00');
    expect(iso(cal.addWorkingHours('2025-03-03T08:30:00+08:00', 7.5))).toBe('2025-03-03T17:30:00+08:00');
  });

  it('skips a weekend', () => {
    // given Friday 16:30
    // when two hours are added
    // then one hour is on Friday and the other on Monday morning
    expect(iso(cal.addWorkingHours('2025-03-07T16:30:00+08:00', 2))).toBe('2025-03-10T09:30:00+08:00');
  });

  it('works the Spring Festival 调休 Sunday (2025-01-26) and skips the holiday (01-28 … 02-04)', () => {
    // given Friday 2025-01-24 17:00, the Saturday is off but Sunday 26 Jan is a working day
    expect(iso(cal.addWorkingHours('2025-01-24T17:00:00+08:00', 1))).toBe('2025-01-26T09:00:00+08:00');
    // given Monday 27 Jan 17:00, the next working day is Wednesday 5 Feb
    expect(iso(cal.addWorkingHours('2025-01-27T17:00:00+08:00', 8))).toBe('2025-02-05T17:30:00+08:00');
    // and Saturday 8 Feb is a make-up working day too
    expect(iso(cal.addWorkingHours('2025-02-07T08:30:00+08:00', 8))).toBe('2025-02-08T09:00:00+08:00');
  });

  it('starts counting at the next opening when started outside office hours', () => {
    expect(iso(cal.addWorkingHours('2025-03-03T07:00:00+08:00', 1))).toBe('2025-03-03T09:30:00+08:00'); // early
    expect(iso(cal.addWorkingHours('2025-03-03T12:30:00+08:00', 1))).toBe('2025-03-03T14:30:00+08:00'); // lunch
    expect(iso(cal.addWorkingHours('2025-03-03T20:00:00+08:00', 1))).toBe('2025-03-04T09:30:00+08:00'); // evening
    expect(iso(cal.addWorkingHours('2025-03-09T10:00:00+08:00', 1))).toBe('2025-03-10T09:30:00+08:00'); // Sunday
    expect(iso(cal.addWorkingHours('2025-10-03T10:00:00+08:00', 1))).toBe('2025-10-09T09:30:00+08:00'); // National Day
  });

  it('returns the start itself for zero hours, even outside office hours', () => {
    expect(iso(cal.addWorkingHours('2025-03-09T10:00:00+08:00', 0))).toBe('2025-03-09T10:00:00+08:00');
  });

  it('uses a fixed +08:00 offset whatever the input offset or season (China has no DST)', () => {
    // given the same instant written in UTC
    expect(iso(cal.addWorkingHours('2025-03-03T03:00:00Z', 2))).toBe('2025-03-03T14:30:00+08:00');
    // and in summer, when zones with DST would shift by an hour
    expect(iso(cal.addWorkingHours('2025-07-15T00:30:00Z', 3.5))).toBe('2025-07-15T12:00:00+08:00');
    // 09:00 in New York is 22:00 in Shanghai: counting starts at the next morning's opening
    expect(iso(cal.addWorkingHours(new Date('2025-11-04T09:00:00-05:00'), 0.5))).toBe('2025-11-05T09:00:00+08:00');
    // then the output always carries +08:00 and keeps milliseconds when present
    expect(formatShanghai('2025-03-03T03:00:00.250Z')).toBe('2025-03-03T11:00:00.250+08:00');
  });

  it('does not depend on the process time zone', () => {
    // given a process running in a zone with DST
    const saved = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      // then the results are the same as in Shanghai
      expect(iso(cal.addWorkingHours('2025-03-07T16:30:00+08:00', 2))).toBe('2025-03-10T09:30:00+08:00');
      expect(cal.isWorkingTime('2025-03-09T02:30:00Z')).toBe(false); // Sunday 10:30 in Shanghai
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('crosses year boundaries with New Year holidays and the 2026-01-04 make-up Sunday', () => {
    expect(iso(cal.addWorkingHours('2025-12-31T17:00:00+08:00', 1))).toBe('2026-01-04T09:00:00+08:00');
    expect(iso(cal.addWorkingHours('2026-12-31T17:00:00+08:00', 1))).toBe('2027-01-04T09:00:00+08:00');
  });

  it('rejects negative hours and zone-less strings', () => {
    expect(() => cal.addWorkingHours('2025-03-03T10:00:00+08:00', -1)).toThrow(/non-negative/);
    expect(() => cal.addWorkingHours('2025-03-03T10:00:00', 1)).toThrow(/with an offset/);
  });
});

describe('WorkingCalendar.workingHoursBetween', () => {
  it('counts only office hours and is the inverse of addWorkingHours', () => {
    expect(cal.workingHoursBetween('2025-03-03T08:30:00+08:00', '2025-03-03T17:30:00+08:00')).toBe(7.5);
    expect(cal.workingHoursBetween('2025-03-07T16:30:00+08:00', '2025-03-10T09:30:00+08:00')).toBe(2);
    expect(cal.workingHoursBetween('2025-01-27T17:00:00+08:00', '2025-02-05T17:30:00+08:00')).toBe(8);
    expect(cal.workingHoursBetween('2025-03-10T09:30:00+08:00', '2025-03-07T16:30:00+08:00')).toBe(-2);
    // given many starts and budgets, counting back what was added gives the budget again
    const starts = [
      '2025-01-24T17:00:00+08:00',
      '2025-09-26T12:15:00+08:00',
      '2026-02-13T16:00:00+08:00',
      '2026-12-30T07:00:00+08:00',
    ];
    for (const start of starts) {
      for (const hours of [0.25, 1, 3.5, 7.5, 16, 40]) {
        expect(cal.workingHoursBetween(start, cal.addWorkingHours(start, hours))).toBeCloseTo(hours, 9);
      }
    }
  });
});

describe('WorkingCalendar.addWorkingDays', () => {
  it('does not count the start day and closes at 17:30 of the N-th working day', () => {
    // given Monday 20 Jan 2025; the 5th working day after it is the make-up Sunday 26 Jan
    expect(iso(cal.addWorkingDays('2025-01-20T10:00:00+08:00', 5))).toBe('2025-01-26T17:30:00+08:00');
    // given the day before National Day 2025 (holiday 1–8 Oct)
    expect(iso(cal.addWorkingDays('2025-09-30T10:00:00+08:00', 1))).toBe('2025-10-09T17:30:00+08:00');
    // given a Saturday start, Monday is the first working day
    expect(iso(cal.addWorkingDays('2025-03-08T10:00:00+08:00', 1))).toBe('2025-03-10T17:30:00+08:00');
    expect(iso(cal.addWorkingDays('2025-03-08T10:00:00+08:00', 0))).toBe('2025-03-08T10:00:00+08:00');
  });

  it('rejects fractional days', () => {
    expect(() => cal.addWorkingDays('2025-03-08T10:00:00+08:00', 1.5)).toThrow(/whole/);
  });
});

describe('WorkingCalendar.isWorkingTime / isWorkingDay', () => {
  it('treats period starts as inside and period ends as outside', () => {
    expect(cal.isWorkingTime('2025-03-03T08:30:00+08:00')).toBe(true);
    expect(cal.isWorkingTime('2025-03-03T11:59:59+08:00')).toBe(true);
    expect(cal.isWorkingTime('2025-03-03T12:00:00+08:00')).toBe(false);
    expect(cal.isWorkingTime('2025-03-03T17:30:00+08:00')).toBe(false);
  });

  it('knows holidays and make-up working days', () => {
    expect(cal.isWorkingTime('2025-01-26T10:00:00+08:00')).toBe(true); // Sunday, 调休
    expect(cal.isWorkingTime('2025-01-28T10:00:00+08:00')).toBe(false); // 除夕
    expect(cal.isWorkingDay('2025-04-27')).toBe(true); // Sunday, 调休 for Labour Day
    expect(cal.isWorkingDay('2025-05-05')).toBe(false);
    expect(cal.isWorkingDay('2026-02-14')).toBe(true);
    expect(cal.isWorkingDay('2026-02-23')).toBe(false);
    expect(cal.holidayName('2026-02-17')).toBe('春节');
  });
});

describe('custom office hours', () => {
  it('parses periods and weekdays and uses them', () => {
    // given a Monday–Saturday 09:00–17:00 office
    const sixDay = new WorkingCalendar({ officeHours: parseOfficeHours('09:00-17:00', '1-6') });
    // when 2 hours are added at Saturday 16:00
    // then Saturday counts, Sunday does not
    expect(iso(sixDay.addWorkingHours('2025-03-08T16:00:00+08:00', 2))).toBe('2025-03-10T10:00:00+08:00');
    expect(sixDay.addWorkingDays('2025-03-07T10:00:00+08:00', 1).toISOString()).toBe('2025-03-08T09:00:00.000Z');
  });

  it('rejects malformed or overlapping office hours', () => {
    expect(() => parseOfficeHours('8:30-12')).toThrow(/Expected office hours/);
    expect(() => parseOfficeHours('13:00-12:00')).toThrow(/start before end/);
    expect(() => parseOfficeHours('08:00-12:00,11:00-13:00')).toThrow(/non-overlapping/);
    expect(() => parseOfficeHours('08:00-12:00', '0-5')).toThrow(/ISO weekdays/);
  });
});

describe('computeSlaDueAt', () => {
  it('computes due and warning times in working time with the default 0.8 ratio', () => {
    // given Monday 08:30 and a 10-working-hour budget
    const sla = computeSlaDueAt({ start: '2025-03-03T08:30:00+08:00', workingHours: 10 });
    // then due is Tuesday 11:00 and the yellow card comes at 8 h, Tuesday 09:00
    expect(sla).toEqual({
      dueAt: '2025-03-04T11:00:00+08:00',
      warnAt: '2025-03-04T09:00:00+08:00',
      mode: 'working',
      provisional: false,
      fallback: false,
    });
  });

  it('supports warnBeforeHours and flags results that depend on provisional 2027 data', () => {
    expect(computeSlaDueAt({ start: '2025-03-03T08:30:00+08:00', workingHours: 10, warnBeforeHours: 1 }).warnAt).toBe(
      '2025-03-04T10:00:00+08:00',
    );
    const provisional = computeSlaDueAt({ start: '2026-12-31T17:00:00+08:00', workingHours: 1 });
    expect(provisional).toMatchObject({ dueAt: '2027-01-04T09:00:00+08:00', provisional: true, fallback: false });
  });

  it('computes natural-time SLAs around the clock (fire lane), holidays included', () => {
    // given a fire-lane detection at 23:50 on a Spring Festival holiday night
    const sla = computeSlaDueAt({ start: '2025-02-01T15:50:00Z', naturalMinutes: 30 });
    // then the grace period ends 30 natural minutes later, the warning at 24 minutes
    expect(sla).toEqual({
      dueAt: '2025-02-02T00:20:00+08:00',
      warnAt: '2025-02-02T00:14:00+08:00',
      mode: 'natural',
      provisional: false,
      fallback: false,
    });
    expect(
      computeSlaDueAt({ start: '2025-02-01T23:50:00+08:00', naturalMinutes: 30, warnBeforeMinutes: 10 }).warnAt,
    ).toBe('2025-02-02T00:10:00+08:00');
    // natural mode needs no calendar data, so it works outside the covered years too
    expect(computeSlaDueAt({ start: '2030-01-01T00:00:00+08:00', naturalMinutes: 5 }).dueAt).toBe(
      '2030-01-01T00:05:00+08:00',
    );
  });

  it('handles a zero budget and rejects a bad ratio', () => {
    expect(computeSlaDueAt({ start: '2025-03-03T10:00:00+08:00', workingHours: 0 }).dueAt).toBe(
      '2025-03-03T10:00:00+08:00',
    );
    expect(() => computeSlaDueAt({ start: '2025-03-03T10:00:00+08:00', workingHours: 1, warnRatio: 1.5 })).toThrow(
      /warnRatio/,
    );
  });
});

describe('cn-holidays.json', () => {
  const data = holidayData as HolidayData;

  it('holds the published 2025 schedule', () => {
    const y = data.years['2025'];
    expect(y.holidays.map((h) => [h.from, h.to])).toEqual([
      ['2025-01-01', '2025-01-01'],
      ['2025-01-28', '2025-02-04'],
      ['2025-04-04', '2025-04-06'],
      ['2025-05-01', '2025-05-05'],
      ['2025-05-31', '2025-06-02'],
      ['2025-10-01', '2025-10-08'],
    ]);
    expect(y.workdays.map((w) => w.date)).toEqual([
      '2025-01-26',
      '2025-02-08',
      '2025-04-27',
      '2025-09-28',
      '2025-10-11',
    ]);
  });

  it('has a source per year, make-up days only on weekends, and marks every 2027 entry provisional', () => {
    for (const [year, y] of Object.entries(data.years)) {
      expect(y.source.title).toBeTruthy();
      for (const w of y.workdays) expect([0, 6]).toContain(new Date(`${w.date}T00:00:00Z`).getUTCDay());
      for (const h of y.holidays) expect(h.from.slice(0, 4)).toBe(year);
    }
    expect(data.years['2025'].provisional).toBe(false);
    expect(data.years['2026'].provisional).toBe(false);
    expect(data.years['2027'].provisional).toBe(true);
    expect(data.years['2027'].holidays.every((h) => h.provisional)).toBe(true);
    expect(data.years['2027'].workdays.every((w) => w.provisional)).toBe(true);
    expect(cal.coverage).toEqual({ from: '2025-01-01', to: '2027-12-31', provisionalYears: ['2027'] });
  });

  it('maps instants to Shanghai dates across midnight UTC', () => {
    expect(shanghaiDate('2025-01-27T16:30:00Z')).toBe('2025-01-28');
  });
});
