import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpProblem } from '../http/problem';
import type { ApiKeyService } from './api-key-service';
import { readCookie, SESSION_COOKIE } from './cookies';
import type { Principal } from './roles';
import type { SessionService } from './session-service';

/** How the caller proved who they are: a session cookie, a Bearer API key, or not at all. */
export type AuthVia = 'cookie' | 'bearer' | 'none';

declare module 'express-serve-static-core' {
  interface Request {
    /** The authenticated caller, set by {@link authenticate}. */
    principal?: Principal;
    authVia?: AuthVia;
  }
}

/**
 * Resolves the caller of every /api request: `Authorization: Bearer <api key>` (devices, Open311
 * clients), else the session cookie. A Bearer header with a wrong key is a 401 at once (a client
 * that sends one expects it to count); a stale cookie just means anonymous. Who may do what is
 * decided per route ({@link authorize}).
 */
export function authenticate(sessions: SessionService, apiKeys: ApiKeyService): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    resolvePrincipal(req, sessions, apiKeys).then(() => next(), next);
  };
}

async function resolvePrincipal(req: Request, sessions: SessionService, apiKeys: ApiKeyService): Promise<void> {
  req.authVia = 'none';
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.trim() !== '') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw HttpProblem.unauthorized('The Authorization header must be "Bearer <api key>".');
    const key = await apiKeys.verify(m[1]);
    if (!key) throw HttpProblem.unauthorized('Unknown or revoked API key.');
    req.principal = key;
    req.authVia = 'bearer';
    return;
  }
  const token = readCookie(req, SESSION_COOKIE);
  if (!token) return;
  const user = await sessions.resolve(token);
  if (user) {
    req.principal = user;
    req.authVia = 'cookie';
  }
}
