/**
 * Which process instances work for which case. A job carries `caseId` as a process variable, and a
 * variable is only as trustworthy as everything that could ever write it; so before a worker writes
 * a case it checks that the job's process instance is one of the case's own (issue 18, H1):
 *
 * - the case's root instance, `case.process_instance_key` — recorded by whoever started it
 *   (intake's pending start, the fire-lane device service, `hazmat.open-round`), or by the first job
 *   of that instance when the start has not been recorded yet;
 * - an instance listed for the case in `case_process_instance`: a child the root called (the
 *   scenario of `handle`, the SLA clocks). The gateway protocol does not say which instance called a
 *   job's instance, so a child is bound to the case by its first job — which runs on the variables
 *   its parent passed at the call, before any person acted in the child — and stays bound: the
 *   primary key lets an instance belong to one case only, so a `caseId` changed later is refused.
 *
 * An instance that is another case's root, or bound to another case, is refused; so is a second
 * root-only instance (`case-intake`, `fire-lane`) for a case that has one.
 */
import type { Knex } from 'knex';

/** Processes that only ever run as a case's root instance (never called by another). */
export const ROOT_ONLY_PROCESSES: ReadonlySet<string> = new Set(['case-intake', 'fire-lane']);

export type InstanceCheck =
  { ok: true; how: 'root' | 'bound' | 'newly-bound' | 'root-recorded' } | { ok: false; reason: string };

export interface JobInstance {
  processInstanceKey: string | number;
  bpmnProcessId: string;
}

/**
 * Checks (and on first sight records) that `job`'s process instance works for case `caseId`.
 * Never throws for a mismatch: the caller turns `{ ok: false }` into a failed job.
 */
export async function checkCaseInstance(db: Knex, caseId: string, job: JobInstance, now: Date): Promise<InstanceCheck> {
  const key = String(job.processInstanceKey);
  const refuse = (why: string): InstanceCheck => ({
    ok: false,
    reason: `Expected process instance ${key} (${job.bpmnProcessId}) to work for case ${caseId}, but ${why}; nothing was written to case ${caseId}`,
  });
  const c = await db('case').where({ id: caseId }).first('id', 'process_instance_key');
  if (!c) return refuse('there is no such case');
  if (c.process_instance_key != null && String(c.process_instance_key) === key) return { ok: true, how: 'root' };
  const bound = await db('case_process_instance').where({ process_instance_key: key }).first('case_id');
  if (bound)
    return bound.case_id === caseId ? { ok: true, how: 'bound' } : refuse(`it works for case ${bound.case_id}`);
  const rootOf = await db('case').where({ process_instance_key: key }).whereNot({ id: caseId }).first('id');
  if (rootOf) return refuse(`it is the root instance of case ${rootOf.id}`);
  if (c.process_instance_key == null) {
    // The start is not recorded yet (the first job can be faster than the starter's update).
    const n = await db('case')
      .where({ id: caseId })
      .whereNull('process_instance_key')
      .update({ process_instance_key: key });
    if (n) return { ok: true, how: 'root-recorded' };
    return checkCaseInstance(db, caseId, job, now);
  }
  if (ROOT_ONLY_PROCESSES.has(job.bpmnProcessId))
    return refuse(
      `case ${caseId} already has its ${job.bpmnProcessId === 'fire-lane' ? '' : 'one-window '}instance ${c.process_instance_key}`,
    );
  await db('case_process_instance')
    .insert({ process_instance_key: key, case_id: caseId, bpmn_process_id: job.bpmnProcessId, bound_at: now })
    .onConflict('process_instance_key')
    .ignore();
  const row = await db('case_process_instance').where({ process_instance_key: key }).first('case_id');
  return row?.case_id === caseId ? { ok: true, how: 'newly-bound' } : refuse(`it works for case ${row?.case_id}`);
}

/** Every process instance key of a case: its root and the instances bound to it. */
export async function caseInstanceKeys(db: Knex, caseId: string): Promise<string[]> {
  const c = await db('case').where({ id: caseId }).first('process_instance_key');
  const rows = await db('case_process_instance').where({ case_id: caseId }).select('process_instance_key');
  return [
    ...(c?.process_instance_key ? [String(c.process_instance_key)] : []),
    ...rows.map((r: { process_instance_key: string }) => r.process_instance_key),
  ];
}
