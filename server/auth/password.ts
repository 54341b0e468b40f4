import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

/**
 * scrypt cost. N=2^15, r=8, p=1 (32 MiB, ≈80 ms on the CI machine; 2^14 took 34 ms, 2^16 144 ms)
 * follows OWASP's scrypt minimum. The parameters are stored in every hash, so raising them later
 * only affects new hashes; {@link needsRehash} tells when an old one should be replaced.
 */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
/** Hashes claiming more than this are refused rather than computed (a stored hash is data too). */
const MAX_MEMORY = 128 * 1024 * 1024;

/**
 * For the demo users only: their password is published (DOMAIN.md), so hashing it expensively
 * buys nothing and made demo start-up take seconds (36 users × ~180 ms on a 2-core machine). A
 * demo user's hash is upgraded to {@link SCRYPT_PARAMS} at their first login ({@link needsRehash}).
 */
export const PUBLIC_PASSWORD_SCRYPT_PARAMS = { N: 2 ** 12, r: 8, p: 1 } as const;

/** `scrypt$N=32768,r=8,p=1$<salt base64url>$<hash base64url>` */
export async function hashPassword(
  password: string,
  params: { N: number; r: number; p: number } = SCRYPT_PARAMS,
): Promise<string> {
  const salt = crypto.randomBytes(SALT_BYTES);
  const { N, r, p } = params;
  const hash = await scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { N, r, p, maxmem: MAX_MEMORY });
  return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function parseHash(stored: string): ParsedHash | undefined {
  const m = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (!m) return undefined;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!(N > 1 && (N & (N - 1)) === 0 && r > 0 && p > 0 && 128 * N * r <= MAX_MEMORY / 2)) return undefined;
  return { N, r, p, salt: Buffer.from(m[4], 'base64url'), hash: Buffer.from(m[5], 'base64url') };
}

/** Constant-time comparison against a stored hash; false (never an exception) for a malformed one. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed || parsed.hash.length === 0) return false;
  const { N, r, p, salt, hash } = parsed;
  const computed = await scrypt(password.normalize('NFC'), salt, hash.length, { N, r, p, maxmem: MAX_MEMORY });
  return crypto.timingSafeEqual(computed, hash);
}

/** True when the hash was made with weaker parameters than today's (re-hash at the next login). */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  return !parsed || parsed.N < SCRYPT_PARAMS.N || parsed.r < SCRYPT_PARAMS.r || parsed.p < SCRYPT_PARAMS.p;
}

/**
 * A hash no password matches, used for unknown usernames so a login for a missing user costs the
 * same time as for an existing one (no user enumeration by timing).
 */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(crypto.randomBytes(32).toString('base64url'));
  return dummyHash;
}

/** A random password for people to type once: 20 characters from an unambiguous alphabet (≈116 bits). */
export function randomPassword(length = 20): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  let out = '';
  // Rejection sampling keeps every character equally likely.
  while (out.length < length) {
    for (const byte of crypto.randomBytes(length * 2)) {
      if (byte < 256 - (256 % alphabet.length) && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}
