/**
 * The lead department's first response to a work order (签收): the first claim or completion of a
 * task of the case's lead department. Judged once, when it happens, against the situation's
 * `response_hours` in working time from the moment the task arrived — so the dashboard's response
 * rate reads one column (`case.response_met`) instead of replaying timelines.
 */
import type { Knex } from 'knex';
import { defaultCalendar } from '../sla/working-time';

export async function recordResponse(db: Knex, task: Readonly<Record<string, any>>, at: Date): Promise<void> {
  if (!task.case_id || !task.department) return;
  const c = await db('case').where({ id: task.case_id }).first('lead_department', 'responded_at', 'situation_code');
  if (!c || c.responded_at || c.lead_department !== task.department) return;
  const situation = c.situation_code
    ? await db('catalog_situation').where({ code: c.situation_code }).first('response_hours')
    : undefined;
  const met = situation
    ? defaultCalendar().workingHoursBetween(new Date(task.created_at), at) <= Number(situation.response_hours)
    : null;
  await db('case')
    .where({ id: task.case_id })
    .whereNull('responded_at')
    .update({ responded_at: at, response_met: met });
}
