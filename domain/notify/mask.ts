/**
 * Phone masking for everything that leaves the notification service: API objects, log lines, error
 * texts. Mainland mobiles keep the operator prefix and the last four digits (`138****5678`), the form
 * citizens know from 12123 and bank notices; other numbers keep only their last four digits.
 */

/** A mainland mobile, optionally with +86 / 0086 / 86, not glued to other digits. */
const MOBILE_IN_TEXT = /(?<!\d)(\+?86[-\s]?|0086[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?!\d)/g;

/** Masks one phone number: `13812345678` → `138****5678`, `+8613812345678` → `+86138****5678`. */
export function maskPhone(phone: string | null | undefined): string {
  if (phone == null) return '';
  const trimmed = String(phone).trim();
  const mobile = /^(\+?86|0086)?[-\s]?(1[3-9]\d)[-\s]?\d{4}[-\s]?(\d{4})$/.exec(trimmed);
  if (mobile) return `${mobile[1] ?? ''}${mobile[2]}****${mobile[3]}`;
  const digits = trimmed.replace(/\D/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

/** Masks every mainland mobile number found inside free text (error messages, SMS bodies, params). */
export function maskPhonesInText(text: string | null | undefined): string {
  if (text == null) return '';
  return String(text).replace(
    MOBILE_IN_TEXT,
    (_m, prefix: string | undefined, head: string, _mid: string, tail: string) => {
      return `${prefix ?? ''}${head}****${tail}`;
    },
  );
}

/** Deeply masks phones in every string of a JSON-like value (template params, provider replies). */
export function maskDeep<T>(value: T): T {
  if (typeof value === 'string') return maskPhonesInText(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v)])) as T;
  }
  return value;
}

/** Normalises a mainland mobile to 11 digits; throws on anything else (we only send domestic SMS). */
export function normalizeMobile(phone: string): string {
  const m = /^(?:\+?86|0086)?[-\s]?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})$/.exec(String(phone ?? '').trim());
  if (!m)
    throw new Error(`Expected a mainland mobile number (11 digits starting 13–19), but got "${maskPhone(phone)}"`);
  return `${m[1]}${m[2]}${m[3]}`;
}

/** Masks a person's name: the first character stays (the surname), the rest becomes `*` (`张三丰` → `张**`). */
export function maskName(name: string | null | undefined): string | null {
  if (name == null || name === '') return null;
  const chars = [...String(name).trim()];
  if (chars.length === 0) return null;
  return chars[0] + '*'.repeat(Math.max(chars.length - 1, 1));
}
