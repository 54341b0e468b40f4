/**
 * The API client of every page: same-origin cookie session, the session's CSRF token on writes
 * (X-CSRF-Token, from login or GET /api/me), problem+json errors as ApiError, and a graceful
 * session expiry: a 401 on a staff page lets the page keep its drafts (onSessionExpired), then a
 * dialog explains it and offers to log in again, which returns to the same page (`next`).
 */
import { h } from './dom';
import { T, t } from './i18n';

export interface Me {
  username: string;
  displayName: string;
  roles: Array<'admin' | 'designer' | 'supervisor' | 'clerk'>;
  departments: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly body: any,
  ) {
    super(detail);
  }
  /** Field errors of a 400/422: [{field, message}]. */
  get fieldErrors(): Array<{ field: string; message: string }> {
    return Array.isArray(this.body?.errors) ? this.body.errors : [];
  }
}

let csrfToken: string | undefined;
let signedIn = false;

export function setSession(token: string): void {
  csrfToken = token;
  signedIn = true;
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Return the Response untouched (CSV downloads). */
  raw?: boolean;
  /** Do not treat a 401 as an expired session (login page, public pages). */
  anonymous?: boolean;
}

export async function api<T = any>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? (opts.json !== undefined || opts.body ? 'POST' : 'GET');
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  if (res.status === 401 && signedIn && !opts.anonymous) {
    sessionExpired();
    throw new ApiError(401, t('session.expired.title'), null);
  }
  if (opts.raw && res.ok) return res as unknown as T;
  const type = res.headers.get('content-type') ?? '';
  const text = await res.text();
  const parsed = type.includes('json') && text ? JSON.parse(text) : text;
  if (!res.ok) {
    const detail =
      (parsed && typeof parsed === 'object' && (parsed.detail || parsed.title)) || `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, String(detail), parsed);
  }
  return parsed as T;
}

/** GET /api/me: the user or null when not logged in. */
export async function fetchMe(): Promise<Me | null> {
  const res = await fetch('/api/me', { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (res.status === 401) return null;
  if (!res.ok) throw new ApiError(res.status, `GET /api/me: ${res.status}`, null);
  const body = await res.json();
  setSession(body.csrfToken);
  return body.user as Me;
}

export function loginUrl(reason?: 'expired' | 'forbidden'): string {
  const next = location.pathname + location.search + location.hash;
  const q = new URLSearchParams({ next });
  if (reason) q.set('reason', reason);
  return `/login?${q}`;
}

const expiryHooks: Array<() => void> = [];
/** Runs when the session turns out expired (e.g. to store what the user typed), before the dialog. */
export function onSessionExpired(fn: () => void): void {
  expiryHooks.push(fn);
}

function sessionExpired(): void {
  if (!signedIn) return;
  signedIn = false;
  for (const fn of expiryHooks) {
    try {
      fn();
    } catch (err) {
      console.error('saving a draft on session expiry failed', err);
    }
  }
  const relogin = h(
    'button',
    { type: 'button', class: 'primary', id: 'relogin', onclick: () => location.assign(loginUrl('expired')) },
    T('session.expired.login'),
  );
  const dialog = h(
    'dialog',
    {
      id: 'session-expired',
      class: 'session-dialog',
      role: 'alertdialog',
      'aria-labelledby': 'session-expired-title',
      'aria-describedby': 'session-expired-text',
    },
    h('h2', { id: 'session-expired-title' }, T('session.expired.title')),
    h('p', { id: 'session-expired-text' }, T('session.expired.text')),
    h('div', { class: 'row' }, relogin),
  );
  // Nothing on the page works without a session: the dialog stays until the user logs in again.
  dialog.addEventListener('cancel', (e) => e.preventDefault());
  document.body.append(dialog);
  dialog.showModal();
  relogin.focus();
}

/** Staff pages: the user, or a redirect to /login (then back here). */
export async function requireUser(): Promise<Me> {
  const user = await fetchMe();
  if (!user) {
    location.replace(loginUrl());
    return new Promise<never>(() => {});
  }
  return user;
}

export async function login(username: string, password: string): Promise<Me> {
  const body = await api<{ user: Me; csrfToken: string }>('/api/auth/login', {
    json: { username, password },
    anonymous: true,
  });
  setSession(body.csrfToken);
  return body.user;
}

export async function logout(): Promise<void> {
  await api('/api/auth/logout', { method: 'POST', anonymous: true }).catch(() => {});
  signedIn = false;
  csrfToken = undefined;
}

/** Departments with their names (cached for the page). */
export interface Department {
  code: string;
  nameZh: string;
  nameEn: string;
}
let departments: Promise<Department[]> | undefined;
export function loadDepartments(): Promise<Department[]> {
  departments ??= api<any>('/api/departments').then((b) =>
    (b.departments ?? b).map((d: any) => ({
      code: d.code,
      nameZh: d.nameZh ?? d.name_zh ?? d.name?.zh ?? d.code,
      nameEn: d.nameEn ?? d.name_en ?? d.name?.en ?? d.code,
    })),
  );
  return departments;
}
