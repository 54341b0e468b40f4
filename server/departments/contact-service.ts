import type { Knex } from 'knex';
import { maskPhone, normalizeMobile } from '../../domain/notify/mask';
import { HttpProblem } from '../http/problem';

/** Whom a department's yellow/red-card and supervision SMS reach (domain/notify/staff-notify.ts). */
export interface DepartmentContact {
  role: 'head' | 'duty' | 'staff';
  name: string;
  /** Staff only: the user name a claimed task's assignee carries. */
  username?: string | null;
  phone: string;
}

async function requireDepartment(db: Knex, code: string): Promise<void> {
  if (!(await db('department').where({ code }).first('code')))
    throw HttpProblem.notFound(`No department with code '${code}'`);
}

/** The contacts of a department, phones masked (they are only ever shown, never needed in full). */
export async function listContacts(db: Knex, code: string) {
  await requireDepartment(db, code);
  const rows = await db('department_contact').where({ department: code }).orderBy(['role', 'id']);
  return rows.map((r: any) => ({
    role: r.role,
    name: r.name,
    username: r.username ?? null,
    phone: maskPhone(r.phone),
  }));
}

/** Replaces a department's contacts in one transaction (the list is small and edited as a whole). */
export async function replaceContacts(db: Knex, code: string, contacts: DepartmentContact[]) {
  await requireDepartment(db, code);
  const rows = contacts.map((c, i) => {
    let phone: string;
    try {
      phone = normalizeMobile(c.phone);
    } catch {
      throw HttpProblem.badRequest('A contact phone must be a mainland mobile number', [
        { field: `contacts.${i}.phone`, message: 'expected 11 digits starting 13–19' },
      ]);
    }
    return { department: code, role: c.role, name: c.name, username: c.username ?? null, phone };
  });
  await db.transaction(async (trx) => {
    await trx('department_contact').where({ department: code }).delete();
    if (rows.length) await trx('department_contact').insert(rows);
  });
  return listContacts(db, code);
}
