/** SQL for users and their department memberships (tables app_user, user_department). */
import type { Knex } from 'knex';
import type { Role } from './roles';

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  roles: Role[];
  departments: string[];
  active: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

const departmentsOf = (db: Knex) =>
  db.raw(
    `coalesce((select json_agg(ud.department_code order by ud.department_code) from user_department ud where ud.user_id = u.id), '[]'::json) as departments`,
  );

function selectUsers(db: Knex) {
  return db({ u: 'app_user' }).select(
    'u.id',
    'u.username',
    'u.display_name',
    'u.password_hash',
    'u.roles',
    'u.active',
    'u.created_at',
    'u.last_login_at',
    departmentsOf(db),
  );
}

function toUser(r: any): UserRow {
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    passwordHash: r.password_hash,
    roles: json(r.roles),
    departments: json(r.departments),
    active: r.active,
    createdAt: new Date(r.created_at),
    lastLoginAt: r.last_login_at ? new Date(r.last_login_at) : null,
  };
}

export async function findUserByUsername(db: Knex, username: string): Promise<UserRow | undefined> {
  const row = await selectUsers(db).where('u.username', username).first();
  return row ? toUser(row) : undefined;
}

export async function findUserById(db: Knex, id: string): Promise<UserRow | undefined> {
  const row = await selectUsers(db).where('u.id', id).first();
  return row ? toUser(row) : undefined;
}

export async function listUsers(db: Knex): Promise<UserRow[]> {
  return (await selectUsers(db).orderBy('u.username')).map(toUser);
}

export async function insertUser(
  db: Knex,
  user: { id: string; username: string; displayName: string; passwordHash: string; roles: Role[]; active: boolean },
): Promise<void> {
  await db('app_user').insert({
    id: user.id,
    username: user.username,
    display_name: user.displayName,
    password_hash: user.passwordHash,
    roles: JSON.stringify(user.roles),
    active: user.active,
  });
}

export async function updateUser(
  db: Knex,
  id: string,
  patch: Partial<{ displayName: string; passwordHash: string; roles: Role[]; active: boolean }>,
): Promise<number> {
  const row: Record<string, unknown> = { updated_at: db.fn.now() };
  if (patch.displayName !== undefined) row.display_name = patch.displayName;
  if (patch.passwordHash !== undefined) row.password_hash = patch.passwordHash;
  if (patch.roles !== undefined) row.roles = JSON.stringify(patch.roles);
  if (patch.active !== undefined) row.active = patch.active;
  return db('app_user').where({ id }).update(row);
}

export async function setUserDepartments(db: Knex, userId: string, codes: readonly string[]): Promise<void> {
  await db('user_department').where({ user_id: userId }).delete();
  if (codes.length)
    await db('user_department').insert(codes.map((code) => ({ user_id: userId, department_code: code })));
}

export async function touchLastLogin(db: Knex, id: string): Promise<void> {
  await db('app_user').where({ id }).update({ last_login_at: db.fn.now() });
}

/** Whether any active user has the admin role (bootstrap creates one when none does). */
export async function activeAdminExists(db: Knex): Promise<boolean> {
  const row = await db('app_user').where('active', true).whereRaw(`roles @> '["admin"]'::jsonb`).first('id');
  return row !== undefined;
}

/** Active admins other than `exceptId`: an admin must not lock everyone out of the admin pages. */
export async function countOtherActiveAdmins(db: Knex, exceptId: string): Promise<number> {
  const row = await db('app_user')
    .where('active', true)
    .whereNot('id', exceptId)
    .whereRaw(`roles @> '["admin"]'::jsonb`)
    .count<{ n: string }[]>('id as n');
  return Number(row[0].n);
}
