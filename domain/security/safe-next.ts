/**
 * Where a login may send the browser afterwards (`/login?next=…`): only a path on this site.
 *
 * Browsers are lenient with URLs: they treat `\` as `/`, drop tabs and newlines anywhere in a URL,
 * and resolve `//host`, `/\host`, `/<TAB>/host` or `\\host` to another host. So rather than
 * recognising bad forms one by one, the value is accepted only when it is plainly a path:
 * it starts with a single `/` and holds no backslash, control character or whitespace, it still starts
 * so after each layer of percent-decoding a server might apply, and resolving it against the site's origin keeps
 * the origin. The answer is the normalised path + query + fragment, or `null` (go to the default page).
 *
 * Shared by the login page (ui/src/pages/login.ts) and the server, which rewrites `/login` links
 * carrying an unsafe `next` (server/app.ts), so neither side alone decides.
 */
const MAX_DECODE_ROUNDS = 3;
const MAX_LENGTH = 2048;
// C0 controls, DEL, C1 controls, any Unicode whitespace (incl. NBSP, ideographic space, line separators), backslash.
// eslint-disable-next-line no-control-regex -- control characters are what this rejects
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\s\\\u200b-\u200f\u2028\u2029\ufeff]/u;

export function safeNextPath(next: string | null | undefined, origin: string): string | null {
  if (typeof next !== 'string' || next.length === 0 || next.length > MAX_LENGTH) return null;
  if (!plainPath(next)) return null;
  let layer = next;
  for (let round = 0; round <= MAX_DECODE_ROUNDS; round++) {
    if (!plainStart(layer)) return null;
    let decoded: string;
    try {
      decoded = decodeURIComponent(layer);
    } catch {
      return null; // malformed escapes: not a link this site makes
    }
    if (decoded === layer) break;
    if (round === MAX_DECODE_ROUNDS) return null; // encoded deeper than any link of ours
    layer = decoded;
  }
  let url: URL;
  let base: URL;
  try {
    base = new URL(origin);
    url = new URL(next, base);
  } catch {
    return null;
  }
  if (url.origin !== base.origin || url.username || url.password) return null;
  const path = url.pathname + url.search + url.hash;
  return plainPath(path) ? path : null;
}

/** The value as given: one leading `/`, and nothing a browser would drop or turn into `/` anywhere. */
function plainPath(value: string): boolean {
  return plainStart(value) && !FORBIDDEN.test(value);
}

/** A decoded layer: a space or backslash deep in a query is harmless, but the first two characters must stay a path. */
function plainStart(value: string): boolean {
  if (!value.startsWith('/')) return false;
  const second = value.charAt(1);
  return second !== '/' && !FORBIDDEN.test(second);
}
