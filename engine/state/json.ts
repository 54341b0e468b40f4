import { parse as losslessParse, stringify as losslessStringify } from 'lossless-json';

/**
 * JSON for variable documents, exact for 64-bit integers as Zeebe keeps them (int64 in its
 * msgpack state). An integer outside JavaScript's safe range (±2^53 − 1) but inside int64 becomes
 * a `bigint`; every other number stays a `number` (IEEE double, as Zeebe keeps non-integers and
 * integers beyond int64). Stringifying writes a `bigint` as its exact digits.
 *
 * Both directions take the built-in JSON path unless big integers are involved: a document
 * without a run of 16 digits cannot hold an unsafe integer, and JSON.stringify throws on a bigint.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER = /^-?\d+$/;
const LONG_DIGITS = /\d{16}/;

let seen = false;

/** True once any document held an integer that needed a bigint (FEEL checks this to stay fast). */
export function bigIntsSeen(): boolean {
  return seen;
}

function parseNumber(text: string): number | bigint {
  const n = Number(text);
  if (Number.isSafeInteger(n) || !INTEGER.test(text)) return n;
  const b = BigInt(text);
  if (b < INT64_MIN || b > INT64_MAX) return n;
  seen = true;
  return b;
}

/** JSON.parse, except that integers beyond ±2^53 − 1 within int64 come back exact as `bigint`. */
export function parseJson(text: string): unknown {
  const fast = JSON.parse(text); // also the validation: same errors as before for bad JSON
  if (!LONG_DIGITS.test(text)) return fast;
  return losslessParse(text, null, parseNumber);
}

/** JSON.stringify, writing a `bigint` as its exact digits. */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return losslessStringify(value) as string;
  }
}

/** Whether a value holds a bigint anywhere. */
export function containsBigInt(v: unknown): boolean {
  if (typeof v === 'bigint') return true;
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some(containsBigInt);
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  for (const x of Object.values(v as Record<string, unknown>)) if (containsBigInt(x)) return true;
  return false;
}

/** Deep copy with every bigint turned into the nearest double (for FEEL arithmetic). */
export function bigIntsToNumbers(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(bigIntsToNumbers);
  if (Object.getPrototypeOf(v) !== Object.prototype) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = bigIntsToNumbers(x);
  return out;
}
