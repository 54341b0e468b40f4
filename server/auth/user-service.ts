import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { HttpProblem, type FieldError } from '../http/problem';
import { existingDepartmentCodes } from './department-queries';
import { dummyPasswordHash, hashPassword, needsRehash, randomPassword, verifyPassword } from './password';
import type { RateLimiters } from './rate-limit';
import type { Role, UserPrincipal } from './roles';
import type { SessionService } from './session-service';
import {
  countOtherActiveAdmins,
  findUserById,
  findUserByUsername,
  insertUser,
  listUsers,
  setUserDepartments,
  touchLastLogin,
  updateUser,
  type UserRow,
} from './user-queries';

/** A user as the API shows it (never the hash). */
export interface UserView {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  departments: string[];
  active: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export function toUserView(u: UserRow): UserView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    roles: u.roles,
    departments: u.departments,
    active: u.active,
    createdAt: u.createdAt.toISOString(),
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  };
}

export interface NewUser {
  username: string;
  displayName: string;
  roles: Role[];
  departments: string[];
}

export interface UserPatch {
  displayName?: string;
  roles?: Role[];
  departments?: string[];
  active?: boolean;
  resetPassword?: boolean;
}

/** Logins and the admin's user management. Passwords are only ever generated, never chosen. */
export class UserService {
  constructor(
    private readonly db: Knex,
    private readonly sessions: SessionService,
    private readonly limiters: Pick<RateLimiters, 'loginPerUser'>,
  ) {}

  /**
   * Checks a username and password and starts a session. Wrong user and wrong password give the
   * same 401 after the same work (a dummy hash is verified for unknown users). Failed attempts are
   * counted per username; past the limit the answer is 429 without checking the password.
   */
  async login(
    username: string,
    password: string,
  ): Promise<{ principal: UserPrincipal; token: string; expiresAt: Date }> {
    const limitKey = username.toLowerCase();
    const decision = this.limiters.loginPerUser.peek(limitKey);
    if (!decision.allowed) {
      throw new HttpProblem(
        429,
        'Too Many Requests',
        `Too many failed logins for this user; try again in ${decision.retryAfterSeconds} s.`,
        {
          retryAfterSeconds: decision.retryAfterSeconds,
        },
      );
    }
    const user = await findUserByUsername(this.db, username);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !ok || !user.active) {
      this.limiters.loginPerUser.hit(limitKey);
      throw HttpProblem.unauthorized('Wrong username or password.');
    }
    this.limiters.loginPerUser.reset(limitKey);
    if (needsRehash(user.passwordHash))
      await updateUser(this.db, user.id, { passwordHash: await hashPassword(password) });
    await touchLastLogin(this.db, user.id);
    const session = await this.sessions.create(user.id);
    return {
      token: session.token,
      expiresAt: session.expiresAt,
      principal: {
        kind: 'user',
        userId: user.id,
        username: user.username,
        displayName: user.displayName,
        roles: user.roles,
        departments: user.departments,
        csrfToken: session.csrfToken,
        sessionIdHash: session.idHash,
      },
    };
  }

  async logout(principal: UserPrincipal): Promise<void> {
    await this.sessions.destroy(principal.sessionIdHash);
  }

  /** Changes one's own password after checking the current one; the user's other sessions end. */
  async changeOwnPassword(principal: UserPrincipal, currentPassword: string, newPassword: string): Promise<void> {
    const user = await findUserById(this.db, principal.userId);
    if (!user || !(await verifyPassword(currentPassword, user.passwordHash)))
      throw HttpProblem.unauthorized('The current password is wrong.');
    if (newPassword === currentPassword)
      throw HttpProblem.badRequest('The new password must differ from the current one.', [
        { field: 'newPassword', message: 'same as the current password' },
      ]);
    await updateUser(this.db, user.id, { passwordHash: await hashPassword(newPassword) });
    await this.sessions.destroyOthersOf(user.id, principal.sessionIdHash);
  }

  async list(): Promise<UserView[]> {
    return (await listUsers(this.db)).map(toUserView);
  }

  /** Creates a user with a random password, returned once. */
  async create(input: NewUser): Promise<{ user: UserView; password: string }> {
    await this.assertDepartmentsExist(input.departments);
    if (await findUserByUsername(this.db, input.username))
      throw HttpProblem.conflict(`A user named ${input.username} already exists.`);
    const password = randomPassword();
    const passwordHash = await hashPassword(password);
    const id = crypto.randomUUID();
    try {
      await this.db.transaction(async (trx) => {
        await insertUser(trx, {
          id,
          username: input.username,
          displayName: input.displayName,
          passwordHash,
          roles: dedupe(input.roles),
          active: true,
        });
        await setUserDepartments(trx, id, dedupe(input.departments));
      });
    } catch (err: any) {
      // Two admins creating the same name at once: the unique index decides.
      if (err?.code === '23505') throw HttpProblem.conflict(`A user named ${input.username} already exists.`);
      throw err;
    }
    return { user: toUserView((await findUserById(this.db, id))!), password };
  }

  /**
   * Changes roles, departments, display name or active flag, or resets the password (the new one
   * is returned once). Deactivating or resetting ends the user's sessions. The last active admin
   * cannot be demoted or deactivated.
   */
  async update(id: string, patch: UserPatch): Promise<{ user: UserView; password?: string }> {
    const user = await findUserById(this.db, id);
    if (!user) throw HttpProblem.notFound(`No user with id ${id}.`);
    if (patch.departments) await this.assertDepartmentsExist(patch.departments);
    const losesAdmin =
      user.roles.includes('admin') &&
      user.active &&
      ((patch.roles && !patch.roles.includes('admin')) || patch.active === false);
    if (losesAdmin && (await countOtherActiveAdmins(this.db, id)) === 0) {
      throw HttpProblem.conflict(`${user.username} is the last active admin; make another user admin first.`);
    }
    const password = patch.resetPassword ? randomPassword() : undefined;
    const passwordHash = password ? await hashPassword(password) : undefined;
    await this.db.transaction(async (trx) => {
      await updateUser(trx, id, {
        displayName: patch.displayName,
        roles: patch.roles && dedupe(patch.roles),
        active: patch.active,
        passwordHash,
      });
      if (patch.departments) await setUserDepartments(trx, id, dedupe(patch.departments));
    });
    if (patch.active === false || password) await this.sessions.destroyAllOf(id);
    return { user: toUserView((await findUserById(this.db, id))!), ...(password ? { password } : {}) };
  }

  private async assertDepartmentsExist(codes: readonly string[]): Promise<void> {
    const known = await existingDepartmentCodes(this.db, codes);
    const errors: FieldError[] = codes.flatMap((code, i) =>
      known.has(code)
        ? []
        : [{ field: `departments[${i}]`, message: `unknown department code ${JSON.stringify(code)}` }],
    );
    if (errors.length) throw HttpProblem.badRequest('Unknown department codes.', errors);
  }
}

function dedupe<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
