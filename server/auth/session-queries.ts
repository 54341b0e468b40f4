/** SQL for login sessions (table session). The cookie value itself is never stored, only its sha256. */
import type { Knex } from 'knex';
import type { Role } from './roles';

export interface SessionWithUser {
  idHash: string;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  userId: string;
  username: string;
  displayName: string;
  roles: Role[];
  departments: string[];
}

export async function insertSession(
  db: Knex,
  s: { idHash: string; userId: string; csrfToken: string; expiresAt: Date },
): Promise<void> {
  await db('session').insert({
    id_hash: s.idHash,
    user_id: s.userId,
    csrf_token: s.csrfToken,
    expires_at: s.expiresAt,
  });
}

/** The session and its user, if the session has not expired and the user is active. */
export async function findLiveSession(db: Knex, idHash: string, now: Date): Promise<SessionWithUser | undefined> {
  const r = await db({ s: 'session' })
    .join({ u: 'app_user' }, 'u.id', 's.user_id')
    .where('s.id_hash', idHash)
    .where('s.expires_at', '>', now)
    .where('u.active', true)
    .first(
      's.id_hash',
      's.csrf_token',
      's.created_at',
      's.last_seen_at',
      's.expires_at',
      'u.id as user_id',
      'u.username',
      'u.display_name',
      'u.roles',
      db.raw(
        `coalesce((select json_agg(ud.department_code order by ud.department_code) from user_department ud where ud.user_id = u.id), '[]'::json) as departments`,
      ),
    );
  if (!r) return undefined;
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return {
    idHash: r.id_hash,
    csrfToken: r.csrf_token,
    createdAt: new Date(r.created_at),
    lastSeenAt: new Date(r.last_seen_at),
    expiresAt: new Date(r.expires_at),
    userId: r.user_id,
    username: r.username,
    displayName: r.display_name,
    roles: json(r.roles),
    departments: json(r.departments),
  };
}

export async function touchSession(db: Knex, idHash: string, lastSeenAt: Date, expiresAt: Date): Promise<void> {
  await db('session').where({ id_hash: idHash }).update({ last_seen_at: lastSeenAt, expires_at: expiresAt });
}

export async function deleteSession(db: Knex, idHash: string): Promise<void> {
  await db('session').where({ id_hash: idHash }).delete();
}

export async function deleteUserSessions(db: Knex, userId: string): Promise<number> {
  return db('session').where({ user_id: userId }).delete();
}

/** Ends a user's sessions except one (the one changing the password stays logged in). */
export async function deleteOtherUserSessions(db: Knex, userId: string, keepIdHash: string): Promise<number> {
  return db('session').where({ user_id: userId }).whereNot({ id_hash: keepIdHash }).delete();
}

export async function deleteExpiredSessions(db: Knex, now: Date): Promise<number> {
  return db('session').where('expires_at', '<=', now).delete();
}
