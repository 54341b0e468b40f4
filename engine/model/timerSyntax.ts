/**
 * Timer definitions as Zeebe reads them: ISO-8601 durations (`P1DT2H`), date-times (`…Z`,
 * `…+08:00`, `…[Asia/Shanghai]`), repeating intervals (`R5/PT10S`, `R/P1D`, `R3/<start>/PT1H`) and
 * 6-field Spring cron expressions with seconds (`0 0 9-17 * * MON-FRI`, evaluated in UTC).
 */

const DURATION =
  /^(-)?P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

/** Adds an ISO-8601 duration to an epoch-ms instant (calendar-aware for years/months/days, UTC). */
export function addDuration(iso: string, fromMs: number): number {
  const m = DURATION.exec(iso.trim());
  if (!m || iso.trim() === 'P' || iso.trim().endsWith('T')) throw new Error(`Invalid duration '${iso}'`);
  const sign = m[1] ? -1 : 1;
  const n = (i: number) => (m[i] ? Number(m[i].replace(',', '.')) : 0);
  const d = new Date(fromMs);
  if (n(2) || n(3)) d.setUTCMonth(d.getUTCMonth() + sign * (n(2) * 12 + n(3)));
  if (n(4) || n(5)) d.setUTCDate(d.getUTCDate() + sign * (n(4) * 7 + n(5)));
  return d.getTime() + sign * Math.round((n(6) * 3600 + n(7) * 60 + n(8)) * 1000);
}

/** Parses an ISO date-time with zone (`Z`, offset or `[Zone/Id]`); a value without zone is UTC. */
export function parseDateTime(iso: string): number {
  let s = iso.trim();
  let zone: string | undefined;
  const bracket = /\[([^\]]+)\]$/.exec(s);
  if (bracket) {
    zone = bracket[1];
    s = s.slice(0, bracket.index);
  }
  const at = /@([A-Za-z_]+\/[A-Za-z_]+|UTC)$/.exec(s);
  if (at) {
    zone = at[1];
    s = s.slice(0, at.index);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(s))
    throw new Error(`Invalid date-time '${iso}'`);
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/.test(s);
  if (!hasOffset) {
    const utc = Date.parse(`${s}Z`);
    if (Number.isNaN(utc)) throw new Error(`Invalid date-time '${iso}'`);
    if (!zone || zone === 'UTC') return utc;
    return utc - zoneOffsetMs(zone, utc);
  }
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new Error(`Invalid date-time '${iso}'`);
  return t;
}

function zoneOffsetMs(zone: string, utcGuess: number): number {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const parts = Object.fromEntries(fmt.formatToParts(new Date(utcGuess)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return asUtc - Math.floor(utcGuess / 1000) * 1000;
}

export interface Cycle {
  /** -1 = unbounded */
  repetitions: number;
  interval?: string;
  cron?: string;
  /** First fire time when the cycle names a start. */
  start?: number;
}

export function parseCycle(text: string): Cycle {
  const s = text.trim();
  if (!s.startsWith('R')) {
    parseCron(s); // throws on bad syntax
    return { repetitions: -1, cron: s };
  }
  const parts = s.split('/');
  const rep = parts[0].slice(1);
  if (rep !== '' && !/^\d+$/.test(rep)) throw new Error(`Invalid repetition count in cycle '${text}'`);
  const repetitions = rep === '' ? -1 : Number(rep);
  if (parts.length === 2) {
    addDuration(parts[1], 0);
    return { repetitions, interval: parts[1] };
  }
  if (parts.length === 3) {
    addDuration(parts[2], 0);
    return { repetitions, interval: parts[2], start: parseDateTime(parts[1]) };
  }
  throw new Error(`Invalid time cycle '${text}'`);
}

/** Deploy-time check of a static timer value; returns an error message or null. */
export function validateTimerExpr(kind: 'duration' | 'date' | 'cycle', text: string): string | null {
  try {
    if (kind === 'duration') addDuration(text, 0);
    else if (kind === 'date') parseDateTime(text);
    else parseCycle(text);
    return null;
  } catch (e) {
    return `Invalid timer ${kind} expression: ${(e as Error).message}`;
  }
}

// Cron --------------------------------------------------------------------------------------------

interface CronSpec {
  sec: Set<number>;
  min: Set<number>;
  hour: Set<number>;
  dom: Set<number> | null;
  mon: Set<number>;
  dow: Set<number> | null;
}
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function field(text: string, lo: number, hi: number, names?: string[], nameBase = 0): Set<number> | null {
  if (text === '?') return null;
  const out = new Set<number>();
  const val = (t: string) => {
    const up = t.toUpperCase();
    if (names && names.includes(up)) return names.indexOf(up) + nameBase;
    if (!/^\d+$/.test(t)) throw new Error(`Invalid cron value '${t}'`);
    return Number(t);
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    if (!Number.isInteger(step) || step < 1) throw new Error(`Invalid cron step '${part}'`);
    let a: number, b: number;
    if (range === '*') [a, b] = [lo, hi];
    else if (range.includes('-')) {
      const [x, y] = range.split('-');
      [a, b] = [val(x), val(y)];
    } else {
      a = val(range);
      b = stepText ? hi : a;
    }
    if (a < lo || b > hi || a > b) throw new Error(`Cron value '${part}' out of range ${lo}-${hi}`);
    for (let i = a; i <= b; i += step) out.add(i);
  }
  return out;
}

export function parseCron(text: string): CronSpec {
  const f = text.trim().split(/\s+/);
  if (f.length !== 6)
    throw new Error(
      `Invalid cron expression '${text}': expected 6 fields (second minute hour day-of-month month day-of-week)`,
    );
  const dow = field(f[5], 0, 7, DAYS);
  if (dow?.has(7)) dow.add(0);
  return {
    sec: field(f[0], 0, 59)!,
    min: field(f[1], 0, 59)!,
    hour: field(f[2], 0, 23)!,
    dom: f[3] === '*' && f[5] !== '*' && f[5] !== '?' ? null : field(f[3], 1, 31),
    mon: field(f[4], 1, 12, MONTHS, 1)!,
    dow: f[5] === '*' || f[5] === '?' ? null : dow,
  };
}

/** Next fire time strictly after `afterMs` (UTC), or throws if none within 5 years. */
export function nextCron(text: string, afterMs: number): number {
  const c = parseCron(text);
  const d = new Date(Math.floor(afterMs / 1000) * 1000 + 1000);
  const limit = afterMs + 5 * 366 * 86400000;
  while (d.getTime() < limit) {
    if (!c.mon.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0);
      continue;
    }
    const domOk = c.dom ? c.dom.has(d.getUTCDate()) : true;
    const dowOk = c.dow ? c.dow.has(d.getUTCDay()) : true;
    if (!domOk || !dowOk) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0);
      continue;
    }
    if (!c.hour.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0);
      continue;
    }
    if (!c.min.has(d.getUTCMinutes())) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0);
      continue;
    }
    if (!c.sec.has(d.getUTCSeconds())) {
      d.setUTCSeconds(d.getUTCSeconds() + 1);
      continue;
    }
    return d.getTime();
  }
  throw new Error(`Cron expression '${text}' has no fire time in the next five years`);
}
