import type { Knex } from 'knex';
import type { UserPrincipal } from './roles';
import {
  deleteExpiredSessions,
  deleteOtherUserSessions,
  deleteSession,
  deleteUserSessions,
  findLiveSession,
  insertSession,
  touchSession,
} from './session-queries';
import { randomToken, sha256Hex } from './tokens';

export interface SessionOptions {
  /** A session ends after this long without a request (sliding expiry). */
  idleMs: number;
  /** …and at the latest this long after login, however active. Default 7 days. */
  absoluteMs?: number;
  now?: () => Date;
}

/**
 * Why last_seen_at is written at most once a minute: every authenticated request would otherwise
 * be a write (and on PGlite one more turn on the single connection) for a precision nobody needs.
 */
const TOUCH_EVERY_MS = 60_000;
const DEFAULT_ABSOLUTE_MS = 7 * 24 * 3600_000;

/**
 * Login sessions in the `session` table. The cookie carries a random 32-byte token; the table
 * keeps its sha256, so a leaked database dump holds no usable session.
 */
export class SessionService {
  readonly idleMs: number;
  readonly absoluteMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly db: Knex,
    options: SessionOptions,
  ) {
    this.idleMs = options.idleMs;
    this.absoluteMs = options.absoluteMs ?? DEFAULT_ABSOLUTE_MS;
    this.now = options.now ?? (() => new Date());
  }

  /** Starts a session; returns the cookie value (shown to nobody else) and the CSRF token. */
  async create(userId: string): Promise<{ token: string; idHash: string; csrfToken: string; expiresAt: Date }> {
    const now = this.now();
    const token = randomToken();
    const idHash = sha256Hex(token);
    const csrfToken = randomToken();
    const expiresAt = new Date(now.getTime() + Math.min(this.idleMs, this.absoluteMs));
    await deleteExpiredSessions(this.db, now);
    await insertSession(this.db, { idHash, userId, csrfToken, expiresAt });
    return { token, idHash, csrfToken, expiresAt };
  }

  /** The user behind a cookie value, sliding the expiry forward; undefined when unknown or expired. */
  async resolve(token: string): Promise<UserPrincipal | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const now = this.now();
    const s = await findLiveSession(this.db, sha256Hex(token), now);
    if (!s) return undefined;
    if (now.getTime() - s.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
      const expiresAt = new Date(Math.min(now.getTime() + this.idleMs, s.createdAt.getTime() + this.absoluteMs));
      await touchSession(this.db, s.idHash, now, expiresAt);
    }
    return {
      kind: 'user',
      userId: s.userId,
      username: s.username,
      displayName: s.displayName,
      roles: s.roles,
      departments: s.departments,
      csrfToken: s.csrfToken,
      sessionIdHash: s.idHash,
    };
  }

  async destroy(idHash: string): Promise<void> {
    await deleteSession(this.db, idHash);
  }

  /** Ends every session of a user (deactivated, password reset). */
  async destroyAllOf(userId: string): Promise<number> {
    return deleteUserSessions(this.db, userId);
  }

  /** Ends every other session of the user than `keepIdHash`. */
  async destroyOthersOf(userId: string, keepIdHash: string): Promise<number> {
    return deleteOtherUserSessions(this.db, userId, keepIdHash);
  }
}
