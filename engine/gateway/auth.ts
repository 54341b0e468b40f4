/**
 * Client authentication for the gateways, matching what `@camunda8/sdk` sends for its
 * `CAMUNDA_AUTH_STRATEGY` `BEARER` (`authorization: Bearer <CAMUNDA_OAUTH_TOKEN>`) and `BASIC`
 * (`authorization: Basic base64(<user>:<password>)`) strategies, on gRPC metadata and HTTP headers
 * alike. Credentials are compared in constant time: both sides are hashed (SHA-256) first, so the
 * comparison takes the same time whatever the length or the first differing byte.
 */
import crypto from 'node:crypto';

export interface GatewayAuth {
  /** Accept `Authorization: Bearer <token>`. */
  token?: string;
  /** Accept `Authorization: Basic base64(username:password)` (both must be set). */
  username?: string;
  password?: string;
}

/** PEM server certificate (chain) and private key: the gateways then speak TLS only. */
export interface GatewayTls {
  cert: string | Buffer;
  key: string | Buffer;
}

const digest = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest();
const same = (a: string, b: string) => crypto.timingSafeEqual(digest(a), digest(b));

/** Whether any credential is configured. */
export function authEnabled(auth: GatewayAuth | undefined): auth is GatewayAuth {
  return !!auth && (!!auth.token || (!!auth.username && auth.password !== undefined));
}

/**
 * Checks an `authorization` header value. `undefined` means it is accepted; otherwise the reason
 * it is not, worded like Zeebe's gateway (`AuthenticationInterceptor`).
 */
export function checkAuthorization(header: string | undefined, auth: GatewayAuth): string | undefined {
  const value = header?.trim();
  if (!value) return 'Expected bearer token or basic credentials at header with key [authorization], but found nothing';
  const space = value.indexOf(' ');
  const scheme = space < 0 ? value.toLowerCase() : value.slice(0, space).toLowerCase();
  const credentials = space < 0 ? '' : value.slice(space + 1).trim();
  let ok: boolean;
  if (scheme === 'bearer' && auth.token) ok = same(credentials, auth.token);
  else if (scheme === 'basic' && auth.username && auth.password !== undefined) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    // Both halves are always compared, so a wrong user name costs as long as a wrong password.
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    const userOk = same(user, auth.username);
    const passwordOk = same(password, auth.password);
    ok = colon >= 0 && userOk && passwordOk;
  } else {
    const accepted = [auth.token ? 'Bearer' : '', auth.username ? 'Basic' : ''].filter(Boolean).join(' or ');
    return `Expected ${accepted} credentials at header with key [authorization], but found the scheme '${scheme}'`;
  }
  return ok ? undefined : 'Expected valid credentials at header with key [authorization], but they were not accepted';
}
