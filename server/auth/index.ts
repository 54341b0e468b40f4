/**
 * @packageDocumentation
 * Authentication and authorisation: users with roles and departments on cookie sessions, API
 * keys for devices and Open311 clients, CSRF, rate limits. Routes declare who may call them with
 * an {@link Access} rule in defineRoute; services use {@link assertDepartmentAccess} and
 * {@link presentPhone} for row-level rules.
 */
import type { Knex } from 'knex';
import type { ServerConfig } from '../config';
import { ApiKeyService } from './api-key-service';
import { createRateLimiters, type RateLimiters } from './rate-limit';
import { SessionService } from './session-service';
import { UserService } from './user-service';

export interface AuthServices {
  sessions: SessionService;
  users: UserService;
  apiKeys: ApiKeyService;
  limiters: RateLimiters;
}

export function createAuthServices(
  db: Knex,
  config: Pick<ServerConfig, 'sessionIdleMinutes' | 'rateLimits'>,
): AuthServices {
  const sessions = new SessionService(db, { idleMs: config.sessionIdleMinutes * 60_000 });
  const limiters = createRateLimiters(config.rateLimits);
  return { sessions, limiters, users: new UserService(db, sessions, limiters), apiKeys: new ApiKeyService(db) };
}

export { authenticate } from './authenticate';
export {
  assertDepartmentAccess,
  authorize,
  hasDepartmentAccess,
  presentPhone,
  requireDepartmentAccess,
  requireRole,
  type Access,
} from './authorize';
export {
  hasRole,
  isUser,
  ROLES,
  API_KEY_KINDS,
  type ApiKeyKind,
  type KeyPrincipal,
  type Principal,
  type Role,
  type UserPrincipal,
} from './roles';
