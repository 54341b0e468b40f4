/**
 * Job worker for `case.reply` (反馈): the lead department's answer goes to the reporter. Stores the
 * reply on the case (status `replied`), records it in the timeline and sends the reporter the
 * `case.replied` SMS pointing to the answer and the rating.
 *
 * Input: `caseId`, `replyText`, `leadDepartment`, `reopenCount` (a reply per round).
 * Idempotent: one SMS and one event per case and round.
 */
import { enqueue } from '../domain/notify/outbox';
import { updateCase } from '../domain/cases/case-store';
import { requireJobCase } from './support/case-job';
import { appendCaseEventOnce } from '../domain/cases/timeline';
import { requireString, withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'case.reply';

export function createCaseReplyHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const c = await requireJobCase(deps, job);
    const caseId = c.id;
    const reply = requireString(job.variables.replyText, 'replyText');
    const round = c.reopen_count;
    const now = deps.now();
    const department = c.lead_department;
    await updateCase(deps.db, caseId, { status: 'replied', reply, replied_at: now }, now);
    let sms: string | null = null;
    if (c.reporter_phone) {
      const dept = department ? await deps.db('department').where({ code: department }).first('name_zh') : undefined;
      try {
        const { row } = await enqueue(
          deps.db,
          {
            idempotencyKey: `${caseId}:replied:${round}`,
            to: c.reporter_phone,
            template: 'case.replied',
            params: { caseNo: c.case_no, department: dept?.name_zh ?? '承办部门' },
            caseId,
          },
          { now: deps.now },
        );
        sms = row.status;
      } catch (err) {
        sms = `not sent: ${(err as Error).message}`;
      }
    }
    await appendCaseEventOnce(deps.db, caseId, `reply:${round}`, {
      type: 'replied',
      department,
      at: now,
      data: { round, reply, sms },
    });
    return job.complete({ repliedAt: now.toISOString() });
  });
}
