/**
 * Job worker for `case.accept` (受理): the one window registered the report. Marks the case accepted,
 * records `accepted` in the timeline and sends the reporter a receipt SMS (`case.accepted`) with the
 * case number and the reply deadline in working days.
 *
 * Input: `caseId`. Output: `caseNo`, `description` (for the classifier and the forms).
 * Idempotent: acceptance and the receipt happen once per case.
 */
import { enqueue } from '../domain/notify/outbox';
import { updateCase } from '../domain/cases/case-store';
import { requireJobCase } from './support/case-job';
import { appendCaseEventOnce } from '../domain/cases/timeline';
import { RECEIPT_REPLY_DAYS } from '../domain/cases/case-service';
import { withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'case.accept';
/** The reply promised in the receipt (working days). */

export function createCaseAcceptHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const c = await requireJobCase(deps, job);
    const caseId = c.id;
    const now = deps.now();
    if (!c.process_instance_key || c.status === 'received') {
      await updateCase(
        deps.db,
        caseId,
        { status: 'dispatching', accepted_at: now, process_instance_key: job.processInstanceKey },
        now,
      );
    }
    const first = await appendCaseEventOnce(deps.db, caseId, 'accepted', {
      type: 'accepted',
      department: 'mediation-center',
      at: now,
      data: { processInstanceKey: job.processInstanceKey },
    });
    let receipt: string;
    if (c.reporter_phone) {
      try {
        const { row } = await enqueue(
          deps.db,
          {
            idempotencyKey: `${caseId}:accepted`,
            to: c.reporter_phone,
            template: 'case.accepted',
            params: { caseNo: c.case_no, days: RECEIPT_REPLY_DAYS },
            caseId,
          },
          { now: deps.now },
        );
        receipt = row.status;
      } catch (err) {
        // A malformed phone is the reporter's data, not a reason to stop the case.
        receipt = `not sent: ${(err as Error).message}`;
      }
      if (first)
        await appendCaseEventOnce(deps.db, caseId, 'receipt', {
          type: 'notified',
          actor: 'system',
          at: now,
          data: { template: 'case.accepted', status: receipt },
        });
    }
    return job.complete({ caseNo: c.case_no, description: c.description });
  });
}
