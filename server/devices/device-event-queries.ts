/** SQL for device events (table device_event) and the fire-lane cases they open or join. */
import { piiKeyring } from '../../domain/privacy/pii-crypto';
import type { Knex } from 'knex';
import type { FireLane } from '../../domain/fire-lane/lanes';
import { caseEventInsertSql } from '../../domain/cases/timeline';
import { OPEN_CASE_STATUSES } from '../../domain/cases/case-queries';

export type DeviceEventStatus = 'received' | 'pending' | 'processed' | 'ignored' | 'failed';

export interface DeviceEventRow {
  id: string;
  deviceId: string;
  clientEventId: string | null;
  type: string;
  status: DeviceEventStatus;
  caseId: string | null;
  response: { caseId: string | null; merged: boolean } | null;
}

const json = <T>(v: unknown): T | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T);

function toRow(r: any): DeviceEventRow {
  return {
    id: String(r.id),
    deviceId: r.device_id,
    clientEventId: r.client_event_id,
    type: r.type,
    status: r.status,
    caseId: r.case_id,
    response: json(r.response),
  };
}

export interface NewDeviceEvent {
  deviceId: string;
  apiKeyId: string;
  clientEventId: string | null;
  type: string;
  laneId: string;
  plate: string;
  detectedAt: Date;
  imageUrl: string | null;
  payload: Record<string, unknown>;
  receivedAt: Date;
}

/** Inserts the event; undefined when the device already sent this client event id. */
export async function insertDeviceEvent(db: Knex, e: NewDeviceEvent): Promise<DeviceEventRow | undefined> {
  const rows = await db('device_event')
    .insert({
      device_id: e.deviceId,
      api_key_id: e.apiKeyId,
      client_event_id: e.clientEventId,
      type: e.type,
      lane_id: e.laneId,
      plate: e.plate,
      detected_at: e.detectedAt,
      image_url: e.imageUrl,
      payload: JSON.stringify(e.payload),
      received_at: e.receivedAt,
      status: 'received',
    })
    .onConflict(['device_id', 'client_event_id'])
    .ignore()
    .returning('*');
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function findByClientEventId(
  db: Knex,
  deviceId: string,
  clientEventId: string,
): Promise<DeviceEventRow | undefined> {
  const r = await db('device_event').where({ device_id: deviceId, client_event_id: clientEventId }).first();
  return r ? toRow(r) : undefined;
}

/** Takes a failed event back for another attempt; false when someone else already did. */
export async function retakeFailedEvent(db: Knex, id: string): Promise<boolean> {
  return (await db('device_event').where({ id, status: 'failed' }).update({ status: 'received', error: null })) === 1;
}

export async function finishDeviceEvent(
  db: Knex,
  id: string,
  outcome: {
    status: DeviceEventStatus;
    caseId?: string | null;
    merged?: boolean | null;
    response?: object | null;
    error?: string | null;
    at: Date;
  },
): Promise<void> {
  await db('device_event')
    .where({ id })
    .update({
      status: outcome.status,
      case_id: outcome.caseId ?? null,
      merged: outcome.merged ?? null,
      response: outcome.response ? JSON.stringify(outcome.response) : null,
      error: outcome.error ?? null,
      processed_at: outcome.at,
    });
}

/** Serialises the decisions about one plate in one lane (open a case or join the open one). */
export async function lockPlateInLane(trx: Knex.Transaction, laneId: string, plate: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`fire-lane:${laneId}:${plate}`]);
}

const OPEN = OPEN_CASE_STATUSES;

/** The open fire-lane case of a plate in a lane (through the detections that opened or joined it). */
export async function findOpenFireLaneCase(
  db: Knex,
  laneId: string,
  plate: string,
): Promise<{ id: string; caseNo: string } | undefined> {
  const r = await db('case as c')
    .where('c.scenario', 'fire-lane')
    .whereIn('c.status', OPEN)
    .whereExists((q) =>
      q
        .select(db.raw('1'))
        .from('device_event as e')
        .whereRaw('e.case_id = c.id')
        .where({ 'e.lane_id': laneId, 'e.plate': plate, 'e.type': 'fire-lane.occupied' }),
    )
    .orderBy('c.created_at', 'desc')
    .first('c.id', 'c.case_no');
  return r ? { id: r.id, caseNo: r.case_no } : undefined;
}

export interface FireLaneSituation {
  code: string;
  matterCode: string;
  categoryCode: string;
  leadDepartment: string;
  collaborators: string[];
}

/** Appends a detection's photo to the case's attachments. */
export async function addCaseAttachment(db: Knex, caseId: string, attachment: object): Promise<void> {
  await db('case')
    .where({ id: caseId })
    .update({
      attachments: db.raw(`attachments || ?::jsonb`, [JSON.stringify([attachment])]),
      updated_at: db.fn.now(),
    });
}

export async function cancelCase(db: Knex, caseId: string, at: Date): Promise<void> {
  await db('case').where({ id: caseId }).update({ status: 'cancelled', closed_at: at, updated_at: at });
}

// ---- The fire-lane hot path (detection → case → notice): few statements, each one round trip. ----

/** Outcome of taking a client event id inside the case transaction. */
export type EventClaim =
  | { kind: 'new'; event: DeviceEventRow }
  | { kind: 'replay'; answer: { caseId: string | null; merged: boolean } }
  | { kind: 'busy' };

/**
 * Records the event, or finds the earlier one with the same client event id: its stored answer
 * (replay), a failed attempt taken back for another try, or `busy` while it is being processed.
 * Runs inside the caller's transaction, so a failure later in it leaves no half-taken event behind.
 */
export async function claimDeviceEvent(trx: Knex.Transaction, e: NewDeviceEvent): Promise<EventClaim> {
  const inserted = await insertDeviceEvent(trx, e);
  if (inserted) return { kind: 'new', event: inserted };
  const earlier = (await findByClientEventId(trx, e.deviceId, e.clientEventId!))!;
  if (
    (earlier.status === 'processed' || earlier.status === 'ignored' || earlier.status === 'pending') &&
    earlier.response
  )
    return { kind: 'replay', answer: earlier.response };
  if (earlier.status === 'failed' && (await retakeFailedEvent(trx, earlier.id)))
    return { kind: 'new', event: { ...earlier, status: 'received' } };
  return { kind: 'busy' };
}

export interface FireLaneContext {
  open: { id: string; caseNo: string } | undefined;
  situation: FireLaneSituation | undefined;
  lane: FireLane | undefined;
  /** The registered owner of a readable plate (full phone: for the SMS only). */
  vehicle: { ownerName: string; ownerPhone: string } | undefined;
}

/**
 * Everything the case decision needs, in one statement: the open case of this plate in this lane
 * (as {@link findOpenFireLaneCase}), the catalog's fire-lane situation (the first active one of the
 * fire-lane scenario), the lane (as `findLane`) and the registered owner (as `findVehicle`; pass
 * `vehiclePlate` only for a readable plate).
 */
export async function fireLaneContext(
  trx: Knex,
  laneId: string,
  plate: string,
  vehiclePlate: string | null,
): Promise<FireLaneContext> {
  const res = await trx.raw(
    `select
       -- from this plate's detections in this lane (index lane_id, plate, type) to their cases: a
       -- handful of rows, however many fire-lane cases are open elsewhere
       (select json_build_object('id', c.id, 'caseNo', c.case_no)
          from device_event e join "case" c on c.id = e.case_id
         where e.lane_id = ? and e.plate = ? and e.type = 'fire-lane.occupied'
           and c.scenario = 'fire-lane' and c.status in (${OPEN.map(() => '?').join(', ')})
         order by c.created_at desc limit 1) as open_case,
       (select json_build_object('code', s.code, 'matterCode', s.matter_code, 'categoryCode', m.category_code,
                                 'leadDepartment', s.lead_department, 'collaborators', s.collaborators)
          from catalog_situation s join catalog_matter m on m.code = s.matter_code
         where s.scenario = 'fire-lane' and s.active = true
         order by s.sort, s.code limit 1) as situation,
       (select json_build_object('id', l.id, 'name', l.name, 'compound', l.compound, 'street', l.street, 'propertyCompany', l.property_company,
                                 'propertyContactName', l.property_contact_name, 'propertyContactPhone', l.property_contact_phone,
                                 'onSiteDepartment', l.on_site_department)
          from fire_lane l where l.id = ? and l.active = true) as lane,
       (select json_build_object('ownerName', v.owner_name, 'ownerPhone', v.owner_phone) from vehicle v where v.plate = ?) as vehicle`,
    [laneId, plate, ...OPEN, laneId, vehiclePlate],
  );
  const r = res.rows[0];
  const situation = json<FireLaneSituation>(r.situation) ?? undefined;
  if (situation) situation.collaborators = json<string[]>(situation.collaborators) ?? [];
  return {
    open: json<{ id: string; caseNo: string }>(r.open_case) ?? undefined,
    situation,
    lane: json<FireLane>(r.lane) ?? undefined,
    vehicle: openOwner(json<{ ownerName: string; ownerPhone: string }>(r.vehicle)),
  };
}

/**
 * The rest of a new fire-lane case in one statement: its classification and photos, the `detected`
 * timeline event, the offence row (repeat counting), the link from the device event and, given
 * `notice` (an outbox insert, domain/notify `insertSql`, its phone already locked), the notice.
 * Answers the notice's row id and status when one was written.
 */
export async function recordFireLaneCase(
  trx: Knex,
  c: {
    caseId: string;
    situation: FireLaneSituation | undefined;
    attachments: object[];
    eventId: string;
    actor: string;
    at: Date;
    detected: object;
    offence: { plate: string; laneId: string; compound: string | null; detectedAt: Date; receivedAt: Date };
    notice?: { sql: string; bindings: unknown[] };
  },
): Promise<{ id: string; status: string } | undefined> {
  const s = c.situation;
  const detected = caseEventInsertSql(c.caseId, {
    type: 'detected',
    actor: c.actor,
    at: c.at,
    data: c.detected as Record<string, unknown>,
  });
  const res = await trx.raw(
    `with classified as (
       update "case" set situation_code = ?, matter_code = ?, category_code = ?, collaborators = ?::jsonb, attachments = ?::jsonb where id = ?
     ), detected as (
       ${detected.sql}
     ), offence as (
       insert into fire_lane_offence (case_id, plate, lane_id, compound, detected_at, received_at, sample) values (?, ?, ?, ?, ?, ?, false)
       on conflict (case_id) do nothing
     )${c.notice ? `, notice as (${c.notice.sql})` : ''}
     update device_event set case_id = ? where id = ?
     returning ${c.notice ? '(select id from notice) as notice_id, (select status from notice) as notice_status' : 'null as notice_id, null as notice_status'}`,
    [
      s?.code ?? null,
      s?.matterCode ?? null,
      s?.categoryCode ?? null,
      JSON.stringify(s ? s.collaborators.filter((d) => d !== s.leadDepartment) : []),
      JSON.stringify(c.attachments),
      c.caseId,
      ...detected.bindings,
      c.caseId,
      c.offence.plate,
      c.offence.laneId,
      c.offence.compound,
      c.offence.detectedAt,
      c.offence.receivedAt,
      ...(c.notice ? c.notice.bindings : []),
      c.caseId,
      c.eventId,
    ] as Knex.RawBinding[],
  );
  const r = res.rows[0];
  return r?.notice_id == null ? undefined : { id: String(r.notice_id), status: String(r.notice_status) };
}

/**
 * After the engine started the instance, in one statement: the case is `handling` with its instance
 * key, the `accepted` timeline event, the device event `processed` with its answer, and — when the
 * device service queued the notice on hold — the notice released to the dispatchers.
 */
export async function recordFireLaneStarted(
  db: Knex,
  s: {
    caseId: string;
    processInstanceKey: string;
    at: Date;
    eventId: string;
    answer: object;
    accepted: { department: string; data: object };
    heldNoticeId: string | null;
  },
): Promise<void> {
  const accepted = caseEventInsertSql(s.caseId, {
    type: 'accepted',
    actor: 'system',
    department: s.accepted.department,
    at: s.at,
    data: s.accepted.data as Record<string, unknown>,
  });
  await db.raw(
    `with started as (
       update "case" set process_instance_key = ?, status = 'handling', accepted_at = ?, updated_at = ? where id = ?
     ), accepted as (
       ${accepted.sql}
     ), released as (
       update notification set next_attempt_at = ?, updated_at = ? where id = ? and status = 'queued' and next_attempt_at is null
     )
     update device_event set status = 'processed', case_id = ?, merged = false, response = ?::jsonb, error = null, processed_at = ? where id = ?`,
    [
      s.processInstanceKey,
      s.at,
      s.at,
      s.caseId,
      ...accepted.bindings,
      s.at,
      s.at,
      s.heldNoticeId,
      s.caseId,
      JSON.stringify(s.answer),
      s.at,
      s.eventId,
    ],
  );
}

/** The vehicle owner's sealed name and phone, opened (for the notice SMS only). */
function openOwner(v: { ownerName: string; ownerPhone: string } | null | undefined) {
  if (!v) return undefined;
  return { ownerName: piiKeyring().decrypt(v.ownerName), ownerPhone: piiKeyring().decrypt(v.ownerPhone) };
}
