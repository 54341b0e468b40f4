/**
 * First-start set-up of who can log in, run by the platform after the migrations.
 *
 * - Always: the departments of DOMAIN.md are seeded (users reference them).
 * - Demo mode (`DEMO=1`): the demo users of DOMAIN.md — `admin`, `designer`, `supervisor` and one
 *   `clerk.<code>` per department, all with password `onematter-demo` — and the demo keys
 *   `demo-camera-key` (device) and `demo-open311-key` (Open311) are created or refreshed.
 * - Otherwise nothing has a known password: if the database was once run in demo mode, the demo
 *   keys are revoked and demo users still on the demo password are deactivated; and if no active
 *   admin exists, `admin` gets a random password printed ONCE to stdout as a banner (not into the
 *   JSON log stream, where log shippers would keep it).
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { DEPARTMENTS, seedDepartments } from '../../domain/departments/departments';
import { findActiveApiKeyByHash, revokeApiKey, upsertApiKeyByHash } from './api-key-queries';
import { hashPassword, PUBLIC_PASSWORD_SCRYPT_PARAMS, randomPassword, verifyPassword } from './password';
import type { Role } from './roles';
import { deleteUserSessions } from './session-queries';
import { sha256Hex } from './tokens';
import { activeAdminExists, findUserByUsername, insertUser, setUserDepartments, updateUser } from './user-queries';

export const DEMO_PASSWORD = 'onematter-demo';
export const DEMO_DEVICE_KEY = 'demo-camera-key';
export const DEMO_OPEN311_KEY = 'demo-open311-key';
/** app_setting key remembering that demo users were seeded into this database. */
const DEMO_SEEDED = 'auth.demoSeeded';

export interface DemoUser {
  username: string;
  displayName: string;
  roles: Role[];
  departments: string[];
}

/** The demo users of DOMAIN.md. */
export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'admin', displayName: 'Administrator', roles: ['admin'], departments: [] },
  { username: 'designer', displayName: 'Process designer', roles: ['designer'], departments: [] },
  { username: 'supervisor', displayName: 'Supervisor', roles: ['supervisor'], departments: [] },
  ...DEPARTMENTS.map((d) => ({
    username: `clerk.${d.code}`,
    displayName: `${d.name_zh} clerk`,
    roles: ['clerk'] as Role[],
    departments: [d.code],
  })),
];

export interface BootstrapOptions {
  demo: boolean;
  log: Pick<Logger, 'info' | 'warn'>;
  /** Where the one-time admin password banner goes; default stdout. */
  print?: (text: string) => void;
}

export interface BootstrapResult {
  /** Set when an admin was created (or re-enabled) with a random password, printed once. */
  adminPassword?: string;
  demoUsers: number;
}

export async function bootstrapAuth(db: Knex, options: BootstrapOptions): Promise<BootstrapResult> {
  await seedDepartments(db);
  if (options.demo) {
    await seedDemo(db);
    options.log.info(
      { users: DEMO_USERS.length },
      `demo mode: demo users (password ${DEMO_PASSWORD}) and keys ${DEMO_DEVICE_KEY}, ${DEMO_OPEN311_KEY} are active`,
    );
    return { demoUsers: DEMO_USERS.length };
  }
  await retireDemo(db, options.log);
  if (await activeAdminExists(db)) return { demoUsers: 0 };
  const adminPassword = await createFirstAdmin(db);
  (options.print ?? ((t) => process.stdout.write(t)))(adminBanner(adminPassword));
  options.log.info({ username: 'admin' }, 'created the first admin; its password was printed once above this line');
  return { adminPassword, demoUsers: 0 };
}

async function seedDemo(db: Knex): Promise<void> {
  const existing = await Promise.all(DEMO_USERS.map((u) => findUserByUsername(db, u.username)));
  // Hash (or check) all passwords first, in parallel on libuv's pool, outside any transaction.
  const hashes = await Promise.all(
    existing.map(async (row) =>
      row && (await verifyPassword(DEMO_PASSWORD, row.passwordHash))
        ? undefined
        : hashPassword(DEMO_PASSWORD, PUBLIC_PASSWORD_SCRYPT_PARAMS),
    ),
  );
  await db.transaction(async (trx) => {
    for (const [i, u] of DEMO_USERS.entries()) {
      const row = existing[i];
      const id = row?.id ?? crypto.randomUUID();
      if (!row)
        await insertUser(trx, {
          id,
          username: u.username,
          displayName: u.displayName,
          passwordHash: hashes[i]!,
          roles: u.roles,
          active: true,
        });
      else await updateUser(trx, id, { roles: u.roles, active: true, passwordHash: hashes[i] });
      await setUserDepartments(trx, id, u.departments);
    }
    await upsertApiKeyByHash(trx, {
      id: crypto.randomUUID(),
      kind: 'device',
      name: 'Demo fire-lane camera',
      keyHash: sha256Hex(DEMO_DEVICE_KEY),
      deviceId: null,
      createdBy: 'demo',
    });
    await upsertApiKeyByHash(trx, {
      id: crypto.randomUUID(),
      kind: 'open311',
      name: 'Demo Open311 client',
      keyHash: sha256Hex(DEMO_OPEN311_KEY),
      deviceId: null,
      createdBy: 'demo',
    });
    await trx('app_setting')
      .insert({ key: DEMO_SEEDED, value: JSON.stringify(true) })
      .onConflict('key')
      .merge({ value: JSON.stringify(true), updated_at: trx.fn.now() });
  });
}

/** Outside demo mode no demo credential may work, even in a database that once ran as a demo. */
async function retireDemo(db: Knex, log: BootstrapOptions['log']): Promise<void> {
  for (const key of [DEMO_DEVICE_KEY, DEMO_OPEN311_KEY]) {
    const row = await findActiveApiKeyByHash(db, sha256Hex(key));
    if (row) {
      await revokeApiKey(db, row.id, new Date());
      log.warn({ apiKey: row.name }, 'revoked a demo API key: this platform is not in demo mode');
    }
  }
  const seeded = await db('app_setting').where({ key: DEMO_SEEDED }).first('key');
  if (!seeded) return;
  const users = await Promise.all(DEMO_USERS.map((u) => findUserByUsername(db, u.username)));
  const stillDemo = await Promise.all(
    users.map(async (u) => u?.active && (await verifyPassword(DEMO_PASSWORD, u.passwordHash))),
  );
  const retired: string[] = [];
  await db.transaction(async (trx) => {
    for (const [i, u] of users.entries()) {
      if (!u || !stillDemo[i]) continue;
      await updateUser(trx, u.id, { active: false });
      await deleteUserSessions(trx, u.id);
      retired.push(u.username);
    }
    await trx('app_setting').where({ key: DEMO_SEEDED }).delete();
  });
  if (retired.length)
    log.warn(
      { users: retired },
      'deactivated demo users still on the demo password: this platform is not in demo mode',
    );
}

/** Creates `admin` (or re-enables an existing `admin` as admin) with a random password. */
async function createFirstAdmin(db: Knex): Promise<string> {
  const password = randomPassword();
  const passwordHash = await hashPassword(password);
  const existing = await findUserByUsername(db, 'admin');
  if (existing) {
    await updateUser(db, existing.id, {
      passwordHash,
      active: true,
      roles: [...new Set<Role>([...existing.roles, 'admin'])],
    });
    await deleteUserSessions(db, existing.id);
  } else {
    await insertUser(db, {
      id: crypto.randomUUID(),
      username: 'admin',
      displayName: 'Administrator',
      passwordHash,
      roles: ['admin'],
      active: true,
    });
  }
  return password;
}

function adminBanner(password: string): string {
  const rule = '='.repeat(72);
  return [
    rule,
    'OneMatter: no admin existed, so one was created. This password is shown ONLY NOW:',
    `    username: admin`,
    `    password: ${password}`,
    'Log in at /login, create named users under /admin, and keep this one safe.',
    rule,
    '',
  ].join('\n');
}
