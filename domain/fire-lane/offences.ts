/**
 * Repeat offences per plate (table fire_lane_offence, one row per fire-lane case). The device service
 * writes the row when it opens a case; the `fire-lane.offence` worker assesses it after the notice:
 * the plate's offences within the window (default 90 days) up to this one, a penalty notice from the
 * penalty threshold on (default 3), a credit-list flag at the credit threshold (default 6).
 */
import type { Knex } from 'knex';
import type { FireLaneConfig } from './config';

const DAY_MS = 86_400_000;

export interface NewOffence {
  caseId: string;
  plate: string;
  laneId: string;
  compound: string | null;
  detectedAt: Date;
  receivedAt: Date;
  sample?: boolean;
}

/** Called inside the transaction that opens the case. */
export async function insertOffence(db: Knex, o: NewOffence): Promise<void> {
  await db('fire_lane_offence')
    .insert({
      case_id: o.caseId,
      plate: o.plate,
      lane_id: o.laneId,
      compound: o.compound,
      detected_at: o.detectedAt,
      received_at: o.receivedAt,
      sample: o.sample ?? false,
    })
    .onConflict('case_id')
    .ignore();
}

export async function markUnknownPlate(db: Knex, caseId: string): Promise<void> {
  await db('fire_lane_offence').where({ case_id: caseId }).update({ known_plate: false });
}

export interface OffenceAssessment {
  plate: string;
  offenceNo: number;
  penaltyNotice: boolean;
  creditFlagged: boolean;
  /** Set when this assessment put the plate on the credit list (not on a re-delivery). */
  newCreditFlag: boolean;
}

/**
 * Counts this case's plate's offences in the window ending at its detection and records the result.
 * Idempotent: a re-delivered job gets the same answer and changes nothing twice.
 */
export async function assessOffence(
  db: Knex,
  caseId: string,
  config: Pick<FireLaneConfig, 'repeatWindowDays' | 'penaltyAt' | 'creditAt'>,
  now: Date,
  /** For an instance not started by a device event (no row yet): the process variables. */
  fallback?: { plate: string; laneId: string; detectedAt: Date },
): Promise<OffenceAssessment> {
  return db.transaction(async (trx) => {
    let o = await trx('fire_lane_offence').where({ case_id: caseId }).forUpdate().first();
    if (!o && fallback) {
      await insertOffence(trx, {
        caseId,
        plate: fallback.plate,
        laneId: fallback.laneId,
        compound: null,
        detectedAt: fallback.detectedAt,
        receivedAt: now,
      });
      o = await trx('fire_lane_offence').where({ case_id: caseId }).forUpdate().first();
    }
    if (!o)
      throw new Error(
        `Expected a fire_lane_offence row for case ${caseId}, but there is none and no plate to record one`,
      );
    const detectedAt = new Date(o.detected_at);
    const [{ n }] = await trx('fire_lane_offence as f')
      .join('case as c', 'c.id', 'f.case_id')
      .where('f.plate', o.plate)
      .whereNot('c.status', 'cancelled')
      .where((w) => w.whereNull('f.known_plate').orWhere('f.known_plate', true))
      .where('f.detected_at', '>', new Date(detectedAt.getTime() - config.repeatWindowDays * DAY_MS))
      .where('f.detected_at', '<=', detectedAt)
      .count<{ n: string }[]>({ n: '*' });
    const offenceNo = o.offence_no ?? Number(n);
    const penaltyNotice = offenceNo >= config.penaltyAt;
    const creditFlagged = offenceNo >= config.creditAt;
    let newCreditFlag = false;
    if (creditFlagged && !o.credit_flagged_at) {
      const inserted = await trx.raw(
        `insert into credit_flag (plate, case_id, offence_count, reason, flagged_at) values (?, ?, ?, ?, ?)
         on conflict (plate) where lifted_at is null do nothing returning id`,
        [o.plate, caseId, offenceNo, `${config.repeatWindowDays} 天内第 ${offenceNo} 次占用消防通道`, now],
      );
      newCreditFlag = inserted.rows.length > 0;
    }
    await trx('fire_lane_offence')
      .where({ case_id: caseId })
      .update({
        known_plate: true,
        offence_no: offenceNo,
        penalty_notice_at: penaltyNotice ? (o.penalty_notice_at ?? now) : null,
        credit_flagged_at: creditFlagged ? (o.credit_flagged_at ?? now) : null,
      });
    return { plate: o.plate, offenceNo, penaltyNotice, creditFlagged, newCreditFlag };
  });
}

/** The open credit-list flag of a plate, if any. */
export async function findCreditFlag(
  db: Knex,
  plate: string,
): Promise<{ plate: string; offenceCount: number; flaggedAt: Date; caseId: string | null } | undefined> {
  const r = await db('credit_flag').where({ plate }).whereNull('lifted_at').first();
  return r
    ? { plate: r.plate, offenceCount: r.offence_count, flaggedAt: new Date(r.flagged_at), caseId: r.case_id }
    : undefined;
}
