/**
 * SMS to staff (yellow/red cards, 督办, 提级) through the notification outbox. Recipients come from
 * `department_contact`: the assignee's own phone when the task is claimed (else the department's duty
 * phone) plus the department head. One outbox row per (business key, phone), so a re-delivered job
 * never sends twice.
 */
import type { Knex } from 'knex';
import { enqueue } from './outbox';
import { maskPhone } from './mask';

export interface StaffNotice {
  department: string;
  assignee?: string | null;
  /** Which roles to reach besides the assignee/duty phone. */
  includeHead: boolean;
  template: string;
  params: Record<string, string | number>;
  key: string;
  caseId?: string | null;
  now: () => Date;
}

export interface StaffNoticeResult {
  /** Masked phones with their role, for the timeline. */
  notified: { role: string; to: string; status: string }[];
}

export async function notifyStaff(db: Knex, n: StaffNotice): Promise<StaffNoticeResult> {
  const contacts = await db('department_contact').where({ department: n.department }).orderBy('id');
  const recipients: { role: string; phone: string }[] = [];
  const staff = n.assignee ? contacts.find((c) => c.role === 'staff' && c.username === n.assignee) : undefined;
  if (staff) recipients.push({ role: 'assignee', phone: staff.phone });
  else for (const c of contacts.filter((c) => c.role === 'duty')) recipients.push({ role: 'duty', phone: c.phone });
  if (n.includeHead)
    for (const c of contacts.filter((c) => c.role === 'head')) recipients.push({ role: 'head', phone: c.phone });
  const notified: StaffNoticeResult['notified'] = [];
  const seen = new Set<string>();
  for (const r of recipients) {
    if (seen.has(r.phone)) continue;
    seen.add(r.phone);
    const { row } = await enqueue(
      db,
      {
        idempotencyKey: `${n.key}:${r.phone}`,
        to: r.phone,
        template: n.template,
        params: n.params,
        caseId: n.caseId ?? null,
      },
      { now: n.now },
    );
    notified.push({ role: r.role, to: maskPhone(r.phone), status: row.status });
  }
  return { notified };
}
