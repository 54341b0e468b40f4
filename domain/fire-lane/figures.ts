/**
 * Fire-lane figures (DOMAIN.md, "Figures the platform must be able to show"): per lane, per compound
 * and in total — detections, cases, SMS sent, owners who moved after the notice, on-site cases,
 * repeat offences, penalty notices, credit flags, and the median times detection → notice queued,
 * detection → notice handed to the provider, detection → lane cleared (medians over measured cases
 * only, never over the demo's sample history). Computed from stored data:
 * fire_lane_offence (one row per case), device_event, notification and the case timeline.
 */
import type { Knex } from 'knex';

export interface FireLaneFigureRow {
  key: string;
  label: string;
  compound: string;
  detections: number;
  cases: number;
  smsSent: number;
  movedAfterNotice: number;
  onSite: number;
  unknownPlates: number;
  repeatOffences: number;
  penaltyNotices: number;
  creditFlags: number;
  medianDetectionToQueuedMs: number | null;
  medianDetectionToSentMs: number | null;
  medianDetectionToClearedMs: number | null;
}

export interface FireLaneFigures {
  since: string;
  until: string;
  total: FireLaneFigureRow;
  lanes: FireLaneFigureRow[];
  compounds: FireLaneFigureRow[];
}

interface CaseRow {
  case_id: string;
  lane_id: string;
  lane_name: string | null;
  compound: string | null;
  detected_at: Date;
  known_plate: boolean | null;
  offence_no: number | null;
  penalty_notice_at: Date | null;
  credit_flagged_at: Date | null;
  notice_queued_at: Date | null;
  notice_sent_at: Date | null;
  warned: boolean;
  sms_sent: string | number;
  cleared_at: Date | null;
  closed_event: string | null;
  sample: boolean;
}

export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : Math.round((s[mid - 1] + s[mid]) / 2);
}

const ms = (from: Date | null, to: Date | null) =>
  from && to ? new Date(to).getTime() - new Date(from).getTime() : null;
const UNREGISTERED = '（未登记小区）';

export async function fireLaneFigures(
  db: Knex,
  period: { since: Date; until: Date },
  options: { penaltyAt?: number } = {},
): Promise<FireLaneFigures> {
  const penaltyAt = options.penaltyAt ?? 3;
  const rows: CaseRow[] = (
    await db.raw(
      `select o.case_id, o.lane_id, l.name as lane_name, coalesce(o.compound, l.compound) as compound, o.detected_at, o.known_plate,
              o.offence_no, o.penalty_notice_at, o.credit_flagged_at, o.sample,
              n.queued_at as notice_queued_at, n.sent_at as notice_sent_at,
              exists (select 1 from notification w where w.idempotency_key = o.case_id || ':warning') as warned,
              (select count(*) from notification s where s.case_id = o.case_id and s.status = 'sent') as sms_sent,
              (select min(e.at) from case_event e where e.case_id = o.case_id and e.type = 'lane-cleared') as cleared_at,
              (select e.type from case_event e where e.case_id = o.case_id and e.type in ('fire-lane.cleared', 'fire-lane.handled') order by e.id limit 1) as closed_event
         from fire_lane_offence o
         join "case" c on c.id = o.case_id and c.status <> 'cancelled'
         left join fire_lane l on l.id = o.lane_id
         left join notification n on n.idempotency_key = o.case_id || ':notice'
        where o.detected_at >= ? and o.detected_at < ?`,
      [period.since, period.until],
    )
  ).rows;
  const detections: { lane_id: string; compound: string | null; lane_name: string | null; n: string | number }[] = (
    await db.raw(
      `select d.lane_id, l.compound, l.name as lane_name, count(*) as n from device_event d left join fire_lane l on l.id = d.lane_id
        where d.type = 'fire-lane.occupied' and d.detected_at >= ? and d.detected_at < ? group by d.lane_id, l.compound, l.name`,
      [period.since, period.until],
    )
  ).rows;
  // Sample history has no device events: each of its cases stands for one detection.
  const sampleDetections: { lane_id: string; n: string | number }[] = (
    await db.raw(
      `select lane_id, count(*) as n from fire_lane_offence where sample and detected_at >= ? and detected_at < ? group by lane_id`,
      [period.since, period.until],
    )
  ).rows;

  const groups = new Map<string, { label: string; compound: string; cases: CaseRow[]; detections: number }>();
  const group = (key: string, label: string, compound: string) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { label, compound, cases: [], detections: 0 }));
    return g;
  };
  for (const r of rows) {
    const compound = r.compound ?? UNREGISTERED;
    for (const [key, label] of [
      [`lane:${r.lane_id}`, r.lane_name ?? r.lane_id],
      [`compound:${compound}`, compound],
      ['total', '全部'],
    ])
      group(key, label, compound).cases.push(r);
  }
  for (const d of [
    ...detections,
    ...sampleDetections.map((s) => ({ ...s, compound: null, lane_name: null, sample: true })),
  ]) {
    const lane = rows.find((r) => r.lane_id === d.lane_id);
    const compound = d.compound ?? lane?.compound ?? UNREGISTERED;
    const n = Number(d.n);
    for (const [key, label] of [
      [`lane:${d.lane_id}`, d.lane_name ?? lane?.lane_name ?? d.lane_id],
      [`compound:${compound}`, compound],
      ['total', '全部'],
    ])
      group(key, label, compound).detections += n;
  }

  const figures = (key: string): FireLaneFigureRow => {
    const g = groups.get(key) ?? { label: key === 'total' ? '全部' : key, compound: '', cases: [], detections: 0 };
    const cs = g.cases;
    // Medians are measured only: the demo's sample history (sample = true) carries no timings.
    const nums = (f: (r: CaseRow) => number | null) =>
      cs
        .filter((r) => !r.sample)
        .map(f)
        .filter((x): x is number => x !== null && x >= 0);
    return {
      key,
      label: g.label,
      compound: g.compound,
      detections: Math.max(g.detections, cs.length),
      cases: cs.length,
      smsSent: cs.reduce((a, r) => a + Number(r.sms_sent), 0),
      movedAfterNotice: cs.filter((r) => r.closed_event === 'fire-lane.cleared').length,
      onSite: cs.filter((r) => r.warned || r.closed_event === 'fire-lane.handled').length,
      unknownPlates: cs.filter((r) => r.known_plate === false).length,
      repeatOffences: cs.filter((r) => (r.offence_no ?? 0) >= 2).length,
      penaltyNotices: cs.filter((r) => r.penalty_notice_at || (r.offence_no ?? 0) >= penaltyAt).length,
      creditFlags: cs.filter((r) => r.credit_flagged_at).length,
      medianDetectionToQueuedMs: median(nums((r) => ms(r.detected_at, r.notice_queued_at))),
      medianDetectionToSentMs: median(nums((r) => ms(r.detected_at, r.notice_sent_at))),
      medianDetectionToClearedMs: median(nums((r) => ms(r.detected_at, r.cleared_at))),
    };
  };
  const keys = [...groups.keys()];
  return {
    since: period.since.toISOString(),
    until: period.until.toISOString(),
    total: figures('total'),
    lanes: keys
      .filter((k) => k.startsWith('lane:'))
      .map(figures)
      .sort((a, b) => b.cases - a.cases || a.key.localeCompare(b.key)),
    compounds: keys
      .filter((k) => k.startsWith('compound:'))
      .map(figures)
      .sort((a, b) => b.cases - a.cases || a.key.localeCompare(b.key)),
  };
}

export interface FireLaneCaseTimings {
  caseId: string;
  detectedAt: string;
  receivedAt: string;
  noticeQueuedAt: string | null;
  noticeSentAt: string | null;
  clearedAt: string | null;
  detectionToQueuedMs: number | null;
  detectionToSentMs: number | null;
}

/** Detection → SMS queued → SMS handed to the provider (→ lane cleared) of one fire-lane case. */
export async function fireLaneCaseTimings(db: Knex, caseId: string): Promise<FireLaneCaseTimings | undefined> {
  const o = await db('fire_lane_offence as o')
    .leftJoin('notification as n', 'n.idempotency_key', db.raw(`o.case_id || ':notice'`))
    .where('o.case_id', caseId)
    .first('o.case_id', 'o.detected_at', 'o.received_at', 'n.queued_at', 'n.sent_at');
  if (!o) return undefined;
  const cleared = await db('case_event')
    .where({ case_id: caseId, type: 'lane-cleared' })
    .min<{ at: Date | null }[]>({ at: 'at' });
  const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
  return {
    caseId,
    detectedAt: new Date(o.detected_at).toISOString(),
    receivedAt: new Date(o.received_at).toISOString(),
    noticeQueuedAt: iso(o.queued_at),
    noticeSentAt: iso(o.sent_at),
    clearedAt: iso(cleared[0]?.at),
    detectionToQueuedMs: ms(o.detected_at, o.queued_at),
    detectionToSentMs: ms(o.detected_at, o.sent_at),
  };
}
