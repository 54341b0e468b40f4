/**
 * Views of unmasked personal data (个人信息保护法: who saw whose data, when and why). Each one is a row
 * of the append-only audit log (domain/audit), written before the data is handed out, with the action
 * `VIEW personal-data` so admins find them with `GET /api/admin/audit?q=personal-data` or the audit
 * tab's "personal data" filter.
 */
import type { Knex } from 'knex';
import { appendAudit } from '../audit/audit-log';

export const PERSONAL_DATA_ACTION = 'VIEW personal-data';

export interface PersonalDataAccess {
  at: Date;
  actor: string;
  roles: string[];
  /** What was seen, e.g. `case=JB20261203-000001`. */
  subject: string;
  /** The fields shown unmasked, e.g. `reporter_name`, `reporter_phone`. */
  fields: string[];
  /** The reason the viewer gave (required). */
  reason: string;
  ip?: string | null;
  requestId?: string | null;
}

export async function recordPersonalDataAccess(db: Knex, a: PersonalDataAccess): Promise<void> {
  await appendAudit(db, {
    at: a.at,
    actor: a.actor,
    roles: a.roles,
    action: PERSONAL_DATA_ACTION,
    summary: `Viewed unmasked ${a.fields.join(', ')}`,
    target: `${a.subject}, fields=${a.fields.join('+')}`,
    detail: { reason: a.reason, fields: a.fields },
    status: 200,
    ip: a.ip ?? null,
    requestId: a.requestId ?? null,
  });
}
