/**
 * Open311 dates: a W3C/ISO-8601 subset that must carry a zone. We answer in the jurisdiction's
 * zone (Asia/Shanghai, `+08:00`, no DST) to whole seconds, and read what clients send.
 */
import { formatShanghai } from '../../domain/sla/working-time';

/** `2026-11-27T09:30:00+08:00`, or null for a missing value. */
export function toOpen311Date(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const ms = new Date(value).getTime();
  return formatShanghai(Math.floor(ms / 1000) * 1000);
}

const W3C = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Parses a client date-time; undefined when it is not a zoned W3C date-time. A `+hh:mm` offset
 * written unescaped in a query string arrives as ` hh:mm` (`+` decodes to a space), so a single
 * space before the offset is read as `+`.
 */
export function parseOpen311Date(raw: string): Date | undefined {
  const text = raw.trim().replace(/ (\d{2}:?\d{2})$/, '+$1');
  const m = W3C.exec(text);
  if (!m) return undefined;
  const zone = m[7].toUpperCase() === 'Z' ? 'Z' : m[7].length === 5 ? `${m[7].slice(0, 3)}:${m[7].slice(3)}` : m[7];
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${zone}`;
  const ms = Date.parse(iso);
  // Date.parse accepts 2026-02-31 by rolling over; an impossible calendar date is not a date.
  if (!Number.isFinite(ms) || Number(m[2]) > 12 || Number(m[3]) > 31 || Number(m[4]) > 23 || Number(m[5]) > 59)
    return undefined;
  return new Date(ms);
}
