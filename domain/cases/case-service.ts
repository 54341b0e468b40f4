/**
 * Case services the scenarios need besides the workers (HTTP routes are thin wrappers elsewhere):
 * create a case and start the one window, record the reporter's rating (which the waiting
 * `case-intake` instance receives as message `case.rated`), and suspend/resume a case's SLA clocks
 * while waiting for the reporter (中止).
 */
import crypto from 'node:crypto';
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import type { DomainResult } from '../errors';
import { shanghaiDate } from '../sla/working-time';
import { sealReporter } from '../privacy/personal-data';
import { appendCaseEvent } from './timeline';

type ZeebeGrpcClient = Zeebe.ZeebeGrpcClient;

/** The working days within which an accepted case is answered (the receipt SMS and Open311 say so). */
export const RECEIPT_REPLY_DAYS = 5;

export interface NewCase {
  description: string;
  channel?: 'web' | 'hotline' | 'open311' | 'device' | 'api' | 'system';
  reporter?: { name?: string | null; phone?: string | null };
  /** 举报人保密: the reporter's identity is shown only to `confidential-reader` users. */
  confidential?: boolean;
  location?: { address?: string | null; lat?: number | null; lng?: number | null };
  scenario?: string | null;
  leadDepartment?: string | null;
  externalId?: string | null;
  attachments?: unknown[];
}

export interface CreatedCase {
  id: string;
  caseNo: string;
}

/** Case numbers: JB + Shanghai date + a six-digit daily sequence (JB20261127-000123). */
async function nextCaseNo(trx: Knex.Transaction, at: Date): Promise<string> {
  const day = shanghaiDate(at).replace(/-/g, '');
  await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`case_no:${day}`]);
  const row = await trx('case')
    .where('case_no', 'like', `JB${day}-%`)
    .max<{ max: string | null }[]>({ max: 'case_no' });
  const last = row[0]?.max ? Number(String(row[0].max).slice(-6)) : 0;
  return `JB${day}-${String(last + 1).padStart(6, '0')}`;
}

export async function createCase(db: Knex, input: NewCase, now: Date = new Date()): Promise<CreatedCase> {
  if (!input.description?.trim()) throw new Error('Expected a description of the problem, but got none');
  return db.transaction(async (trx) => {
    const id = crypto.randomUUID();
    const caseNo = await nextCaseNo(trx, now);
    await trx('case').insert({
      id,
      case_no: caseNo,
      status: 'received',
      channel: input.channel ?? 'web',
      description: input.description.trim(),
      ...sealReporter(input.reporter),
      confidential: input.confidential ?? false,
      address: input.location?.address ?? null,
      lat: input.location?.lat ?? null,
      lng: input.location?.lng ?? null,
      scenario: input.scenario ?? null,
      lead_department: input.leadDepartment ?? null,
      external_id: input.externalId ?? null,
      attachments: JSON.stringify(input.attachments ?? []),
      created_at: now,
      updated_at: now,
    });
    await appendCaseEvent(trx, id, {
      at: now,
      type: 'reported',
      actor: input.channel === 'device' ? 'device' : 'reporter',
      data: { channel: input.channel ?? 'web' },
    });
    return { id, caseNo };
  });
}

/** Starts the one window (`case-intake`) for a case and stores the instance key. */
export async function startCaseIntake(
  db: Knex,
  zbc: ZeebeGrpcClient,
  caseId: string,
  variables: Record<string, unknown> = {},
): Promise<string> {
  const c = await db('case').where({ id: caseId }).first('id', 'case_no', 'description');
  if (!c) throw new Error(`Expected case ${caseId} to exist, but it does not`);
  const r = await zbc.createProcessInstance({
    bpmnProcessId: 'case-intake',
    variables: { caseId, caseNo: c.case_no, description: c.description, ...variables },
  });
  await db('case').where({ id: caseId }).update({ process_instance_key: r.processInstanceKey });
  return r.processInstanceKey;
}

/** The outcome of a case operation (a {@link DomainResult}). */
export type ServiceResult<T = undefined> = DomainResult<T>;

/**
 * The reporter rates the result (回访评价). Stored on the case and published as `case.rated`
 * (correlation key = case id) to the waiting one-window instance; unsatisfied re-opens there.
 */
export async function rateCase(
  db: Knex,
  zbc: ZeebeGrpcClient,
  caseId: string,
  rating: { satisfied: boolean; comment?: string | null },
  now: Date = new Date(),
): Promise<ServiceResult> {
  const c = await db('case').where({ id: caseId }).first('id', 'status', 'reopen_count');
  if (!c) return { ok: false, kind: 'not-found', code: 'CASE_NOT_FOUND', detail: `case ${caseId} does not exist` };
  if (c.status !== 'closed')
    return {
      ok: false,
      kind: 'conflict',
      code: 'CASE_NOT_RATABLE',
      detail: `case ${caseId} is ${c.status}; only a closed case awaiting follow-up can be rated`,
    };
  await db.transaction(async (trx) => {
    await trx('case')
      .where({ id: caseId })
      .update({
        rating_satisfied: rating.satisfied,
        rating_comment: rating.comment ?? null,
        rated_at: now,
        updated_at: now,
      });
    await appendCaseEvent(trx, caseId, {
      at: now,
      type: 'rated',
      actor: 'reporter',
      data: { satisfied: rating.satisfied, comment: rating.comment ?? null },
    });
  });
  await zbc.publishMessage({
    name: 'case.rated',
    correlationKey: caseId,
    timeToLive: 3600_000,
    messageId: `${caseId}:rated:${c.reopen_count}`, // one rating per round
    variables: { satisfied: rating.satisfied, ratingComment: rating.comment ?? '' },
  });
  return { ok: true, value: undefined };
}

/** Publishes one message per running (or suspended) SLA clock of the case. */
async function publishToClocks(
  db: Knex,
  zbc: ZeebeGrpcClient,
  caseId: string,
  state: 'running' | 'suspended',
  name: string,
  variables: Record<string, string>,
): Promise<string[]> {
  const clocks = await db('sla_clock').where({ case_id: caseId, state }).select('sla_key');
  for (const { sla_key } of clocks) {
    await zbc.publishMessage({ name, correlationKey: sla_key, timeToLive: 3600_000, variables });
  }
  return clocks.map((c: { sla_key: string }) => c.sla_key);
}

/**
 * 中止: the case waits for the reporter (more material, an appointment). Every running SLA clock of
 * the case stops counting (`case.suspended`, correlation key = the clock's `slaKey`).
 */
export async function suspendCase(
  db: Knex,
  zbc: ZeebeGrpcClient,
  caseId: string,
  by: string,
  reason: string,
  now: Date = new Date(),
): Promise<ServiceResult<{ clocks: string[] }>> {
  if (!reason.trim())
    return { ok: false, kind: 'invalid', code: 'REASON_REQUIRED', detail: 'a suspension needs a reason' };
  const c = await db('case').where({ id: caseId }).first('status');
  if (!c) return { ok: false, kind: 'not-found', code: 'CASE_NOT_FOUND', detail: `case ${caseId} does not exist` };
  await appendCaseEvent(db, caseId, { at: now, type: 'suspension.requested', actor: by, data: { reason } });
  const clocks = await publishToClocks(db, zbc, caseId, 'running', 'case.suspended', { suspendReason: reason });
  if (clocks.length === 0)
    return {
      ok: false,
      kind: 'conflict',
      code: 'NO_RUNNING_CLOCK',
      detail: `case ${caseId} has no running SLA clock to suspend`,
    };
  return { ok: true, value: { clocks } };
}

/** The reporter answered: suspended clocks resume with their remaining budget (`case.resumed`). */
export async function resumeCase(
  db: Knex,
  zbc: ZeebeGrpcClient,
  caseId: string,
  by: string,
  now: Date = new Date(),
): Promise<ServiceResult<{ clocks: string[] }>> {
  await appendCaseEvent(db, caseId, { at: now, type: 'resumption.requested', actor: by, data: {} });
  const clocks = await publishToClocks(db, zbc, caseId, 'suspended', 'case.resumed', {});
  if (clocks.length === 0)
    return { ok: false, kind: 'conflict', code: 'NOT_SUSPENDED', detail: `case ${caseId} has no suspended SLA clock` };
  return { ok: true, value: { clocks } };
}
