/**
 * Who may act: users with roles and department memberships (cookie sessions), or API keys of a
 * kind (devices post events, Open311 clients file requests). A request carries at most one.
 */

/**
 * The staff roles (issue 7). A user has any number of them. `confidential-reader` adds no access of
 * its own: it lets a user who may see a case also see the reporter of a confidential one (举报人保密).
 */
export const ROLES = ['admin', 'designer', 'supervisor', 'clerk', 'confidential-reader'] as const;
export type Role = (typeof ROLES)[number];

/** Kinds of API key; each is sent as `Authorization: Bearer <key>` (Open311 also as `api_key`). */
export const API_KEY_KINDS = ['device', 'open311'] as const;
export type ApiKeyKind = (typeof API_KEY_KINDS)[number];

/** A logged-in user, as resolved from the session cookie. */
export interface UserPrincipal {
  kind: 'user';
  userId: string;
  username: string;
  displayName: string;
  roles: Role[];
  /** Department codes the user belongs to (candidate groups of the tasks they may work). */
  departments: string[];
  /** The session's CSRF token (double submit: sent back in `X-CSRF-Token` on writes). */
  csrfToken: string;
  /** sha256 of the session cookie value (the session row's key). */
  sessionIdHash: string;
}

/** A caller authenticated by an API key. */
export interface KeyPrincipal {
  kind: ApiKeyKind;
  keyId: string;
  name: string;
  /** Devices: the device id the key belongs to (events must carry it), if bound to one. */
  deviceId: string | null;
}

export type Principal = UserPrincipal | KeyPrincipal;

export function isUser(p: Principal | undefined): p is UserPrincipal {
  return p?.kind === 'user';
}

export function hasRole(p: Principal | undefined, ...roles: Role[]): boolean {
  return isUser(p) && p.roles.some((r) => roles.includes(r));
}
