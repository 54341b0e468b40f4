/**
 * `/admin#calendar`: the holiday years of the working calendar (放假 and 调休), the banner when a
 * year has no holidays entered (time limits then count plain weekdays), entering and editing a
 * year, deleting an entered one, importing a file, and trying a time limit. docs/calendar.md.
 */
import './admin-calendar.css';
import { api, ApiError } from '../lib/api';
import { fmtTime, h, mount, uid } from '../lib/dom';
import { bi, lang, onLang, T, t, type StringKey } from '../lib/i18n';
import { errorText, toast } from '../lib/shell';

interface CalendarStatus {
  status: 'ok' | 'fallback';
  coveredFrom: string;
  coveredTo: string;
  provisionalYears: number[];
  fallbackYears: number[];
  today: string;
  upcomingYear: number | null;
}
interface YearSummary {
  year: number;
  source: 'file' | 'admin' | 'import';
  provisional: boolean;
  title: string;
  holidays: number;
  workdays: number;
  overridesFile: boolean;
  updatedBy: string | null;
  updatedAt: string | null;
}
interface Holiday {
  name: string;
  from: string;
  to: string;
  nameEn?: string;
  provisional?: boolean;
}
interface Workday {
  date: string;
  for: string;
  provisional?: boolean;
}
interface YearDetail extends YearSummary {
  data: {
    provisional: boolean;
    source: { title: string; url: string | null };
    holidays: Holiday[];
    workdays: Workday[];
  };
}
interface Problem {
  field: string;
  message: string;
  messageZh?: string;
}

/** The usual names, prefilled when a new year is entered. */
const HOLIDAY_NAMES = ['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节'];

/** 2028–2030、2032 (en: 2028–2030, 2032). */
function years(list: number[]): string {
  const sorted = [...new Set(list)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}–${sorted[j]}`);
    i = j;
  }
  return parts.join(lang() === 'zh' ? '、' : ', ');
}

/** A problem in the reader's language (the server sends both). */
const problemText = (p: Problem) =>
  p.messageZh ? bi(p.messageZh, p.message) : h('span', null, `${p.field}: ${p.message}`);
const problemsOf = (err: unknown): Problem[] =>
  err instanceof ApiError && Array.isArray(err.body?.errors) ? err.body.errors : [];
/** 2028-01-04T17:00:00+08:00 → 2028-01-04 17:00 (already Beijing time). */
const shanghaiText = (iso: string) => iso.slice(0, 16).replace('T', ' ');

// ---- banner ---------------------------------------------------------------------------------------
let lastStatus: CalendarStatus | undefined;
let bannerSlot: HTMLElement | undefined;
let bannerGo: (() => void) | undefined;

function drawBanner(): void {
  if (!bannerSlot) return;
  const s = lastStatus;
  if (!s) return mount(bannerSlot);
  const thisYear = Number(s.today.slice(0, 4));
  const provisional = s.provisionalYears.filter((y) => y >= thisYear && y <= thisYear + 1);
  const go = bannerGo
    ? h('button', { type: 'button', class: 'link', onclick: bannerGo }, T('admin.calendar.banner.go'))
    : null;
  mount(
    bannerSlot,
    s.fallbackYears.length
      ? h(
          'div',
          { class: 'alert warn', role: 'alert', id: 'calendar-fallback' },
          T('admin.calendar.banner.fallback', { years: years(s.fallbackYears) }),
          ' ',
          T('admin.calendar.banner.fallbackAction'),
          ' ',
          go,
        )
      : null,
    s.upcomingYear
      ? h(
          'div',
          { class: 'alert info', role: 'status', id: 'calendar-upcoming' },
          T('admin.calendar.banner.upcoming', { year: s.upcomingYear }),
          ' ',
          go,
        )
      : null,
    provisional.length
      ? h(
          'div',
          { class: 'alert info', role: 'status', id: 'calendar-provisional' },
          T('admin.calendar.banner.provisional', { years: years(provisional) }),
        )
      : null,
  );
}

/**
 * The banner above the admin tabs: years without holidays entered, next year to enter, provisional
 * years. `go` opens the holidays tab. Refreshed after every change made in the section.
 */
export async function mountCalendarBanner(slot: HTMLElement, go: () => void): Promise<void> {
  bannerSlot = slot;
  bannerGo = go;
  onLang(drawBanner);
  await refreshBanner();
}

async function refreshBanner(state?: { status: CalendarStatus }): Promise<void> {
  lastStatus = (state ?? (await api<{ status: CalendarStatus }>('/api/admin/calendar'))).status;
  drawBanner();
}

// ---- the section ----------------------------------------------------------------------------------
export async function renderCalendar(el: HTMLElement): Promise<void> {
  const state = await api<{ status: CalendarStatus; years: YearSummary[] }>('/api/admin/calendar');
  await refreshBanner(state);
  const formSlot = h('div', { id: 'calendar-form-slot' });
  const reload = async (focus?: string) => {
    await renderCalendar(el);
    if (focus) el.querySelector<HTMLElement>(focus)?.focus();
  };
  const nextYear = Math.max(Number(state.status.today.slice(0, 4)), ...state.years.map((y) => y.year)) + 1;
  const openForm = async (year?: number) => {
    const detail = year ? (await api<{ year: YearDetail }>(`/api/admin/calendar/years/${year}`)).year : undefined;
    mount(
      formSlot,
      yearForm(detail, nextYear, async (saved) => {
        await reload();
        toast(t('admin.calendar.form.saved', { year: saved }));
      }),
    );
    formSlot.scrollIntoView?.({ block: 'start' });
    formSlot.querySelector<HTMLInputElement>('input')?.focus();
  };

  mount(
    el,
    h(
      'p',
      { class: 'card', id: 'calendar-coverage' },
      T('admin.calendar.coverage', { years: years(state.years.map((y) => y.year)) }),
    ),
    h(
      'div',
      { class: 'card table-wrap' },
      h(
        'table',
        { id: 'calendar-years' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            (
              [
                'admin.calendar.year',
                'admin.calendar.source',
                'admin.calendar.kind',
                'admin.calendar.holidays',
                'admin.calendar.workdays',
                'admin.calendar.title',
                'admin.calendar.updated',
                '',
              ] as const
            ).map((k) =>
              h(
                'th',
                {
                  scope: 'col',
                  class: k === 'admin.calendar.holidays' || k === 'admin.calendar.workdays' ? 'num' : '',
                },
                k ? T(k as StringKey) : '',
              ),
            ),
          ),
        ),
        h(
          'tbody',
          null,
          state.years.map((y) =>
            yearRow(
              y,
              () => void openForm(y.year),
              async () => {
                try {
                  const res = await api<{ year: number; fileYearRestored: boolean }>(
                    `/api/admin/calendar/years/${y.year}`,
                    { method: 'DELETE' },
                  );
                  await reload('#calendar-new');
                  toast(
                    t(res.fileYearRestored ? 'admin.calendar.deletedRestored' : 'admin.calendar.deleted', {
                      year: y.year,
                    }),
                  );
                } catch (err) {
                  toast(errorText(err), 'error');
                }
              },
            ),
          ),
        ),
      ),
    ),
    h(
      'div',
      { class: 'row calendar-actions' },
      h(
        'button',
        { type: 'button', class: 'primary', id: 'calendar-new', onclick: () => void openForm() },
        T('admin.calendar.form.new'),
      ),
    ),
    formSlot,
    importCard(() => reload()),
    previewCard(),
  );
}

function yearRow(y: YearSummary, edit: () => void, remove: () => Promise<void>): HTMLTableRowElement {
  let armed = false;
  const del =
    y.source === 'file'
      ? null
      : h(
          'button',
          {
            type: 'button',
            class: 'danger',
            'data-action': 'delete',
            onclick: async () => {
              // two clicks: the first asks, the second deletes
              if (!armed) {
                armed = true;
                del!.replaceChildren(T('admin.calendar.confirmDelete', { year: y.year }));
                return;
              }
              await remove();
            },
          },
          T(y.overridesFile ? 'admin.calendar.deleteRestore' : 'admin.calendar.delete'),
        );
  return h(
    'tr',
    { 'data-year': String(y.year) },
    h('td', null, h('strong', null, String(y.year))),
    h(
      'td',
      null,
      T(`admin.calendar.source.${y.source}` as StringKey),
      y.overridesFile ? h('span', { class: 'small muted' }, ' ', T('admin.calendar.overrides')) : null,
    ),
    h(
      'td',
      null,
      h(
        'span',
        { class: `badge ${y.provisional ? 'light-yellow' : 'light-green'}` },
        T(y.provisional ? 'admin.calendar.provisional' : 'admin.calendar.official'),
      ),
    ),
    h('td', { class: 'num' }, String(y.holidays)),
    h('td', { class: 'num' }, String(y.workdays)),
    h(
      'td',
      { class: 'small calendar-title', title: y.title.length > 80 ? y.title : null },
      y.title ? (y.title.length > 80 ? `${y.title.slice(0, 78)}…` : y.title) : '—',
    ),
    h('td', { class: 'small' }, y.updatedAt ? `${fmtTime(y.updatedAt)} · ${y.updatedBy}` : '—'),
    h(
      'td',
      null,
      h(
        'div',
        { class: 'row' },
        h('button', { type: 'button', 'data-action': 'edit', onclick: edit }, T('admin.calendar.edit')),
        del,
      ),
    ),
  );
}

/** A labelled input inside a row. */
function cell(labelKey: StringKey, attrs: Record<string, unknown>): { wrap: HTMLElement; input: HTMLInputElement } {
  const id = uid('cal');
  const input = h('input', { id, ...attrs });
  return { wrap: h('div', { class: 'field' }, h('label', { for: id }, T(labelKey)), input), input };
}

interface Row<T> {
  el: HTMLElement;
  read(): T | null;
  inputs: Record<string, HTMLInputElement>;
}

function holidayRow(hd: Partial<Holiday>, rows: Array<Row<Holiday>>): Row<Holiday> {
  const name = cell('admin.calendar.form.name', {
    type: 'text',
    name: 'holiday-name',
    value: hd.name ?? '',
    maxlength: 50,
  });
  const from = cell('admin.calendar.form.from', { type: 'date', name: 'holiday-from', value: hd.from ?? '' });
  const to = cell('admin.calendar.form.to', { type: 'date', name: 'holiday-to', value: hd.to ?? '' });
  const row: Row<Holiday> = {
    el: h(
      'div',
      { class: 'calendar-row', 'data-row': 'holiday' },
      name.wrap,
      from.wrap,
      to.wrap,
      h(
        'button',
        {
          type: 'button',
          class: 'calendar-remove',
          onclick: () => {
            rows.splice(rows.indexOf(row), 1);
            row.el.remove();
          },
        },
        T('admin.calendar.form.remove'),
      ),
    ),
    inputs: { name: name.input, from: from.input, to: to.input },
    read: () => {
      const v = { name: name.input.value.trim(), from: from.input.value, to: to.input.value };
      if (!v.name && !v.from && !v.to) return null;
      return { ...v, ...(hd.nameEn ? { nameEn: hd.nameEn } : {}), ...(hd.provisional ? { provisional: true } : {}) };
    },
  };
  return row;
}

function workdayRow(wd: Partial<Workday>, rows: Array<Row<Workday>>): Row<Workday> {
  const date = cell('admin.calendar.form.date', { type: 'date', name: 'workday-date', value: wd.date ?? '' });
  const forName = cell('admin.calendar.form.for', {
    type: 'text',
    name: 'workday-for',
    value: wd.for ?? '',
    maxlength: 50,
    list: 'calendar-holiday-names',
  });
  const row: Row<Workday> = {
    el: h(
      'div',
      { class: 'calendar-row', 'data-row': 'workday' },
      date.wrap,
      forName.wrap,
      h(
        'button',
        {
          type: 'button',
          class: 'calendar-remove',
          onclick: () => {
            rows.splice(rows.indexOf(row), 1);
            row.el.remove();
          },
        },
        T('admin.calendar.form.remove'),
      ),
    ),
    inputs: { date: date.input, for: forName.input },
    read: () => {
      const v = { date: date.input.value, for: forName.input.value.trim() };
      if (!v.date && !v.for) return null;
      return { ...v, ...(wd.provisional ? { provisional: true } : {}) };
    },
  };
  return row;
}

function yearForm(
  detail: YearDetail | undefined,
  nextYear: number,
  saved: (year: number) => Promise<void>,
): HTMLFormElement {
  const yearId = uid('cal-year');
  const provId = uid('cal-prov');
  const titleId = uid('cal-title');
  const yearInput = h('input', {
    type: 'number',
    id: yearId,
    name: 'year',
    min: 2000,
    max: 2100,
    step: 1,
    required: true,
    value: String(detail?.year ?? nextYear),
    readonly: detail ? true : null,
  });
  const provisional = h('input', {
    type: 'checkbox',
    id: provId,
    name: 'provisional',
    checked: detail?.data.provisional ?? false,
  });
  const title = h('input', {
    type: 'text',
    id: titleId,
    name: 'title',
    maxlength: 300,
    value: detail?.data.source.title ?? '',
    'aria-describedby': `${titleId}-hint`,
  });
  const holidays: Array<Row<Holiday>> = [];
  const workdays: Array<Row<Workday>> = [];
  const holidayList = h('div', { id: 'calendar-holidays' });
  const workdayList = h('div', { id: 'calendar-workdays' });
  const addHoliday = (hd: Partial<Holiday>) => {
    const r = holidayRow(hd, holidays);
    holidays.push(r);
    holidayList.append(r.el);
    return r;
  };
  const addWorkday = (wd: Partial<Workday>) => {
    const r = workdayRow(wd, workdays);
    workdays.push(r);
    workdayList.append(r.el);
    return r;
  };
  for (const hd of detail?.data.holidays ?? HOLIDAY_NAMES.map((name) => ({ name }))) addHoliday(hd);
  for (const wd of detail?.data.workdays ?? []) addWorkday(wd);
  const out = h('div', { 'aria-live': 'polite', id: 'calendar-form-out' });

  const form = h(
    'form',
    {
      class: 'card',
      id: 'calendar-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        for (const r of [...holidays, ...workdays])
          for (const i of Object.values(r.inputs)) i.removeAttribute('aria-invalid');
        const sentHolidays = holidays.map((r) => ({ r, v: r.read() })).filter((x) => x.v);
        const sentWorkdays = workdays.map((r) => ({ r, v: r.read() })).filter((x) => x.v);
        const year = Number(yearInput.value);
        try {
          await api(`/api/admin/calendar/years/${year}`, {
            method: 'PUT',
            json: {
              provisional: provisional.checked,
              source: { title: title.value.trim(), url: detail?.data.source.url ?? null },
              holidays: sentHolidays.map((x) => x.v),
              workdays: sentWorkdays.map((x) => x.v),
            },
          });
          await saved(year);
        } catch (err) {
          const problems = problemsOf(err);
          // mark the inputs the problems name: holidays[2].to → the third sent holiday's "to"
          for (const p of problems) {
            const m = /^(holidays|workdays)\[(\d+)\](?:\.(\w+))?/.exec(p.field);
            if (!m) continue;
            const row = (m[1] === 'holidays' ? sentHolidays : sentWorkdays)[Number(m[2])]?.r;
            const input = row?.inputs[m[3] ?? ''] ?? (row ? Object.values(row.inputs)[0] : undefined);
            input?.setAttribute('aria-invalid', 'true');
          }
          mount(
            out,
            h(
              'div',
              { class: 'alert error', role: 'alert', id: 'calendar-problems' },
              problems.length
                ? [
                    T('admin.calendar.form.problems'),
                    h(
                      'ul',
                      null,
                      problems.map((p) => h('li', null, problemText(p))),
                    ),
                  ]
                : errorText(err),
            ),
          );
          out.querySelector<HTMLElement>('[role=alert]')?.focus?.();
        }
      },
    },
    h('h2', null, detail ? T('admin.calendar.form.edit', { year: detail.year }) : T('admin.calendar.form.new')),
    h(
      'div',
      { class: 'grid-2' },
      h('div', { class: 'field' }, h('label', { for: yearId }, T('admin.calendar.year')), yearInput),
      h(
        'div',
        { class: 'field' },
        h('label', { for: titleId }, T('admin.calendar.form.noticeTitle')),
        h('div', { class: 'hint', id: `${titleId}-hint` }, T('admin.calendar.form.noticeHint')),
        title,
      ),
    ),
    h('div', { class: 'checks' }, h('label', { for: provId }, provisional, T('admin.calendar.form.provisional'))),
    h(
      'datalist',
      { id: 'calendar-holiday-names' },
      HOLIDAY_NAMES.map((n) => h('option', { value: n })),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, T('admin.calendar.form.holidaysLegend')),
      holidayList,
      h(
        'button',
        { type: 'button', id: 'calendar-add-holiday', onclick: () => addHoliday({}).inputs.name.focus() },
        T('admin.calendar.form.addHoliday'),
      ),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, T('admin.calendar.form.workdaysLegend')),
      workdayList,
      h(
        'button',
        { type: 'button', id: 'calendar-add-workday', onclick: () => addWorkday({}).inputs.date.focus() },
        T('admin.calendar.form.addWorkday'),
      ),
    ),
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit', class: 'primary' }, T('admin.calendar.form.save')),
      h('button', { type: 'button', onclick: () => form.remove() }, T('common.cancel')),
    ),
    out,
  );
  return form;
}

function importCard(imported: () => Promise<void>): HTMLFormElement {
  const fileId = uid('cal-file');
  const yearId = uid('cal-import-year');
  const dryId = uid('cal-dry');
  const report = h('div', { id: 'calendar-import-report', 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'card',
      id: 'calendar-import',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const file = form.querySelector<HTMLInputElement>(`#${fileId}`)!.files?.[0];
        if (!file) return;
        const data = new FormData();
        const year = form.querySelector<HTMLInputElement>(`#${yearId}`)!.value.trim();
        if (year) data.append('year', year);
        const dry = form.querySelector<HTMLInputElement>(`#${dryId}`)!.checked;
        if (dry) data.append('dryRun', 'true');
        data.append('file', file, file.name);
        try {
          const body = await api<{
            dryRun: boolean;
            years: Array<{ year: number; action: 'added' | 'replaced' | 'unchanged' }>;
          }>('/api/admin/calendar/import', { body: data });
          if (!body.dryRun) await imported();
          const target = document.getElementById('calendar-import-report') ?? report;
          mount(
            target,
            h(
              'div',
              { class: 'alert ok', role: 'status' },
              T(body.dryRun ? 'admin.calendar.import.dryDone' : 'admin.calendar.import.done'),
              h(
                'ul',
                null,
                body.years.map((y) =>
                  h('li', null, T(`admin.calendar.import.${y.action}` as StringKey, { year: y.year })),
                ),
              ),
            ),
          );
        } catch (err) {
          const problems = problemsOf(err);
          mount(
            report,
            h(
              'div',
              { class: 'alert error', role: 'alert' },
              problems.length
                ? [
                    T('admin.calendar.import.problems'),
                    h(
                      'ul',
                      { id: 'calendar-import-problems' },
                      problems.map((p) => h('li', null, problemText(p))),
                    ),
                  ]
                : errorText(err),
            ),
          );
        }
      },
    },
    h('h2', null, T('admin.calendar.import')),
    h('label', { for: fileId }, T('admin.calendar.import.file')),
    h('input', { type: 'file', id: fileId, accept: '.json,application/json', required: true }),
    h(
      'div',
      { class: 'field' },
      h('label', { for: yearId }, T('admin.calendar.import.year')),
      h('input', { type: 'number', id: yearId, min: 2000, max: 2100, step: 1 }),
    ),
    h(
      'div',
      { class: 'checks' },
      h('label', { for: dryId }, h('input', { type: 'checkbox', id: dryId }), T('admin.calendar.import.dry')),
    ),
    h(
      'div',
      { class: 'row', style: { marginTop: '10px' } },
      h('button', { type: 'submit', class: 'primary' }, T('admin.calendar.import.go')),
    ),
    report,
  );
  return form;
}

function previewCard(): HTMLFormElement {
  const startId = uid('cal-start');
  const hoursId = uid('cal-hours');
  const out = h('div', { id: 'calendar-preview-out', 'aria-live': 'polite' });
  const start = h('input', { type: 'datetime-local', id: startId, required: true });
  const hours = h('input', { type: 'number', id: hoursId, min: 0, max: 9999, step: 0.5, value: '16', required: true });
  const form = h(
    'form',
    {
      class: 'card',
      id: 'calendar-preview',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          const q = new URLSearchParams({
            start: `${start.value.length === 16 ? `${start.value}:00` : start.value}+08:00`,
            workingHours: String(Number(hours.value)),
          });
          const r = await api<{ dueAt: string; warnAt: string; provisional: boolean; fallback: boolean }>(
            `/api/admin/calendar/preview?${q}`,
          );
          mount(
            out,
            h(
              'div',
              { class: 'alert info', role: 'status' },
              T('admin.calendar.preview.result', { due: shanghaiText(r.dueAt), warn: shanghaiText(r.warnAt) }),
              r.fallback ? h('div', null, T('admin.calendar.preview.fallback')) : null,
              r.provisional ? h('div', null, T('admin.calendar.preview.provisional')) : null,
            ),
          );
          await refreshBanner();
        } catch (err) {
          mount(out, h('div', { class: 'alert error', role: 'alert' }, errorText(err)));
        }
      },
    },
    h('h2', null, T('admin.calendar.preview')),
    h(
      'div',
      { class: 'grid-2' },
      h('div', { class: 'field' }, h('label', { for: startId }, T('admin.calendar.preview.start')), start),
      h('div', { class: 'field' }, h('label', { for: hoursId }, T('admin.calendar.preview.hours')), hours),
    ),
    h('button', { type: 'submit', class: 'primary' }, T('admin.calendar.preview.go')),
    out,
  );
  return form;
}
