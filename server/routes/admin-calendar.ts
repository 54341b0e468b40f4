/**
 * Holiday years for admins (docs/calendar.md): the years the working calendar knows (shipped with
 * the software or entered by admins), entering, replacing and deleting a year, importing a file in
 * the shapes of processes/calendar/cn-holidays.json, and a due-date preview on the calendar in force.
 * Every change is in force at once in this process and within CALENDAR_REFRESH_SECONDS in others.
 */
import { z } from 'zod';
import type { RouteContext } from '../app';
import { defineRoute, reply, userOf, type AnyRoute } from '../http/define-route';
import { HttpProblem } from '../http/problem';
import { query } from '../http/validate';
import { readUpload } from '../processes/read-upload';
import { HolidayDataError, MAX_YEAR, MIN_YEAR, type CalendarProblem } from '../../domain/sla/holiday-data';
import type { CalendarService } from '../../domain/sla/calendar-service';

const IsoTime = z.iso.datetime({ offset: true });
const LocalDate = z.string().describe('YYYY-MM-DD, Asia/Shanghai');

const Holiday = z.object({
  name: z.string(),
  nameEn: z.string().optional(),
  from: LocalDate,
  to: LocalDate,
  provisional: z.boolean().optional(),
});
const Workday = z.object({
  date: LocalDate,
  for: z.string().describe('the holiday it is worked for'),
  provisional: z.boolean().optional(),
});
const YearData = z.object({
  provisional: z.boolean(),
  source: z.object({ title: z.string(), url: z.string().nullable() }),
  holidays: z.array(Holiday).describe('放假: inclusive date ranges'),
  workdays: z.array(Workday).describe('调休上班: weekend days that are worked'),
});
const Summary = z.object({
  year: z.number().int(),
  source: z
    .enum(['file', 'admin', 'import'])
    .describe('file: shipped with the software; admin: entered on the page; import: from a file'),
  provisional: z.boolean(),
  title: z.string().describe('the notice the dates come from'),
  holidays: z.number().int(),
  workdays: z.number().int(),
  overridesFile: z
    .boolean()
    .describe('an admin-entered year that replaces the shipped one; deleting it brings that back'),
  updatedBy: z.string().nullable(),
  updatedAt: IsoTime.nullable(),
});
const Detail = Summary.extend({ data: YearData });
export const CalendarHealthSchema = z.object({
  status: z
    .enum(['ok', 'fallback'])
    .describe('fallback: some working time is counted on plain weekdays (a warning, not an outage)'),
  coveredFrom: LocalDate,
  coveredTo: LocalDate,
  provisionalYears: z.array(z.number().int()),
  fallbackYears: z
    .array(z.number().int())
    .describe('years without holiday data in use: this year when uncovered, and every year a computation needed'),
});
const Status = CalendarHealthSchema.extend({
  today: LocalDate,
  upcomingYear: z.number().int().nullable().describe('from November: next year, when it has no data yet'),
});

const yearParam = z.strictObject({ year: query.int({ min: MIN_YEAR, max: MAX_YEAR }) });
const text = (max: number) => z.string().max(max);
const YearInput = z.strictObject({
  provisional: z
    .boolean()
    .optional()
    .describe('the dates are a best guess until the State Council publishes its notice'),
  source: z.object({ title: text(300).optional(), url: text(500).nullable().optional() }).optional(),
  holidays: z
    .array(
      z.object({
        name: text(200),
        nameEn: text(200).optional(),
        from: text(40),
        to: text(40),
        provisional: z.boolean().optional(),
      }),
    )
    .max(50),
  workdays: z
    .array(z.object({ date: text(40), for: text(200), provisional: z.boolean().optional() }))
    .max(50)
    .optional(),
});
const ProblemList = 'the data cannot be used; `errors: [{field, message, messageZh}]` lists every problem';

/** The domain's problems with the data as a 422 problem (field, English and Chinese message each). */
function unusable(err: unknown): never {
  if (err instanceof HolidayDataError) {
    const errors: Array<CalendarProblem> = err.problems;
    throw new HttpProblem(
      422,
      'Unprocessable Content',
      `The holiday data has ${errors.length} problem${errors.length === 1 ? '' : 's'}: ${errors.map((e) => e.message).join('; ')}.`,
      { errors },
    );
  }
  throw err;
}

export function adminCalendarRoutes(ctx: RouteContext & { calendar: CalendarService }): AnyRoute[] {
  const { calendar } = ctx;
  return [
    defineRoute({
      method: 'get',
      path: '/api/admin/calendar',
      summary: 'The working calendar: its state (years in fallback) and every year with holiday data',
      tags: ['admin'],
      access: ['admin'],
      responses: {
        200: {
          description: 'state and years, ascending',
          schema: z.object({ status: Status, years: z.array(Summary) }),
        },
      },
      async handler() {
        await calendar.ensureLoaded();
        return { status: calendar.status(), years: calendar.list() };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/admin/calendar/years/:year',
      summary: 'One year: its holidays (放假) and make-up working days (调休)',
      tags: ['admin'],
      access: ['admin'],
      request: { params: yearParam },
      responses: {
        200: { description: 'the year', schema: z.object({ year: Detail }) },
        404: { description: 'no data for that year (it falls back to plain weekdays)' },
      },
      async handler({ params }) {
        await calendar.ensureLoaded();
        const year = calendar.get(params.year);
        if (!year)
          throw HttpProblem.notFound(
            `There is no holiday data for ${params.year}; working time there counts plain weekdays.`,
          );
        return { year };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/admin/calendar/years/:year',
      summary: 'Enter or replace a year’s holidays and make-up working days; in force at once',
      description:
        'Dates are YYYY-MM-DD within the year (a New Year holiday and its make-up day may begin in the previous December). Holiday ranges must not overlap; a make-up working day is a Saturday or Sunday outside the holidays. A shipped year is replaced by the entered one until that is deleted.',
      tags: ['admin'],
      access: ['admin'],
      request: { params: yearParam, body: YearInput },
      responses: {
        200: { description: 'replaced', schema: z.object({ year: Detail }) },
        201: { description: 'entered (the year had no data)', schema: z.object({ year: Detail }) },
        422: { description: ProblemList },
      },
      async handler({ params, body, principal }) {
        await calendar.ensureLoaded();
        const done = await calendar.put(params.year, body, userOf(principal).username).catch(unusable);
        return done.created ? reply(201, { year: done.year }) : { year: done.year };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/admin/calendar/years/:year',
      summary: 'Delete an admin-entered year (the shipped one, if any, is in force again)',
      tags: ['admin'],
      access: ['admin'],
      request: { params: yearParam },
      responses: {
        200: {
          description: 'deleted',
          schema: z.object({
            year: z.number().int(),
            fileYearRestored: z.boolean().describe('the shipped data of that year is in force again'),
          }),
        },
        404: { description: 'no data for that year' },
        409: { description: 'the year comes with the software and cannot be deleted (enter a replacement instead)' },
      },
      async handler({ params }) {
        await calendar.ensureLoaded();
        const r = await calendar.remove(params.year);
        if (r.outcome === 'missing') throw HttpProblem.notFound(`There is no holiday data for ${params.year}.`);
        if (r.outcome === 'shipped')
          throw HttpProblem.conflict(
            `${params.year} comes with the software (processes/calendar/cn-holidays.json) and cannot be deleted; enter a replacement instead.`,
          );
        return { year: params.year, fileYearRestored: r.fileYearRestored };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/admin/calendar/import',
      summary:
        'Import holiday years from a JSON file (one year of cn-holidays.json, or the whole file); all or nothing',
      description:
        'Multipart `file` (plus optional `year` and `dryRun` fields), or the JSON as the body. One year’s entry takes its year from `year=`, a `year` field, or its dates. Years the same as the data in force are `unchanged` and not stored, so importing the shipped file changes nothing. `dryRun=true` checks and reports without writing. Problems answer 422 with `errors: [{field, message, messageZh}]` (`years.2028.holidays[1].to`).',
      tags: ['admin'],
      access: ['admin'],
      request: {
        query: z.strictObject({
          year: query.int({ min: MIN_YEAR, max: MAX_YEAR }).optional(),
          dryRun: query.bool().optional(),
          filename: z.string().max(200).optional(),
        }),
      },
      responses: {
        200: {
          description: 'imported (or, dry run, would import)',
          schema: z.object({
            dryRun: z.boolean(),
            years: z.array(z.object({ year: z.number().int(), action: z.enum(['added', 'replaced', 'unchanged']) })),
          }),
        },
        413: { description: 'the file is too large' },
        422: { description: ProblemList },
      },
      async handler({ req, query: q, principal }) {
        const upload = await readUpload(req, 'holidays.json');
        let json: unknown;
        try {
          json = JSON.parse(upload.data.toString('utf8').replace(/^\uFEFF/, ''));
        } catch (err) {
          throw HttpProblem.badRequest(`${upload.filename} is not a JSON file: ${(err as Error).message}`, [
            { field: 'file', message: 'expected a JSON file like processes/calendar/cn-holidays.json' },
          ]);
        }
        const fieldYear = upload.fields.year ? Number(upload.fields.year) : undefined;
        if (
          fieldYear !== undefined &&
          !(Number.isInteger(fieldYear) && fieldYear >= MIN_YEAR && fieldYear <= MAX_YEAR)
        ) {
          throw HttpProblem.badRequest(`The year ${upload.fields.year} is not between ${MIN_YEAR} and ${MAX_YEAR}.`, [
            { field: 'year', message: `expected a year between ${MIN_YEAR} and ${MAX_YEAR}` },
          ]);
        }
        const dryRun = q.dryRun ?? ['1', 'true'].includes(String(upload.fields.dryRun ?? ''));
        await calendar.ensureLoaded();
        return calendar
          .import(json, { year: q.year ?? fieldYear, dryRun, by: userOf(principal).username })
          .catch(unusable);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/admin/calendar/preview',
      summary: 'A due date on the calendar in force: `workingHours` working hours after `start`',
      tags: ['admin'],
      access: ['admin'],
      request: {
        query: z.strictObject({
          start: IsoTime.describe('with an offset, e.g. 2028-01-28T16:00:00+08:00'),
          workingHours: z
            .string()
            .regex(/^\d{1,4}(\.\d{1,2})?$/, 'expected working hours like 16 or 7.5')
            .transform(Number),
        }),
      },
      responses: {
        200: {
          description: 'due and warning (80 %) times',
          schema: z.object({
            dueAt: IsoTime,
            warnAt: IsoTime,
            provisional: z.boolean().describe('depends on provisional holiday data'),
            fallback: z.boolean().describe('counts days of a year without holiday data'),
          }),
        },
      },
      async handler({ query: q }) {
        await calendar.ensureLoaded();
        const t = calendar.preview(new Date(q.start), q.workingHours);
        return { dueAt: t.dueAt, warnAt: t.warnAt, provisional: t.provisional, fallback: t.fallback };
      },
    }),
  ];
}
