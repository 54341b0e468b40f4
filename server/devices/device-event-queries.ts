/** SQL for device events (table device_event) and the fire-lane cases they open or join. */
import type { Knex } from 'knex';

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

const json = <T>(v: unknown): T | null => (v === null || v === undefined ? null : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

function toRow(r: any): DeviceEventRow {
  return { id: String(r.id), deviceId: r.device_id, clientEventId: r.client_event_id, type: r.type, status: r.status, caseId: r.case_id, response: json(r.response) };
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
      device_id: e.deviceId, api_key_id: e.apiKeyId, client_event_id: e.clientEventId, type: e.type, lane_id: e.laneId, plate: e.plate,
      detected_at: e.detectedAt, image_url: e.imageUrl, payload: JSON.stringify(e.payload), received_at: e.receivedAt, status: 'received',
    })
    .onConflict(['device_id', 'client_event_id'])
    .ignore()
    .returning('*');
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function findByClientEventId(db: Knex, deviceId: string, clientEventId: string): Promise<DeviceEventRow | undefined> {
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
  outcome: { status: DeviceEventStatus; caseId?: string | null; merged?: boolean | null; response?: object | null; error?: string | null; at: Date },
): Promise<void> {
  await db('device_event').where({ id }).update({
    status: outcome.status,
    case_id: outcome.caseId ?? null,
    merged: outcome.merged ?? null,
    response: outcome.response ? JSON.stringify(outcome.response) : null,
    error: outcome.error ?? null,
    processed_at: outcome.at,
  });
}

export async function linkEventToCase(db: Knex, id: string, caseId: string): Promise<void> {
  await db('device_event').where({ id }).update({ case_id: caseId });
}

/** Serialises the decisions about one plate in one lane (open a case or join the open one). */
export async function lockPlateInLane(trx: Knex.Transaction, laneId: string, plate: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`fire-lane:${laneId}:${plate}`]);
}

const OPEN = ['received', 'dispatching', 'handling', 'suspended', 'replied'];

/** The open fire-lane case of a plate in a lane (through the detections that opened or joined it). */
export async function findOpenFireLaneCase(db: Knex, laneId: string, plate: string): Promise<{ id: string; caseNo: string } | undefined> {
  const r = await db('case as c')
    .where('c.scenario', 'fire-lane')
    .whereIn('c.status', OPEN)
    .whereExists((q) =>
      q.select(db.raw('1')).from('device_event as e').whereRaw('e.case_id = c.id').where({ 'e.lane_id': laneId, 'e.plate': plate, 'e.type': 'fire-lane.occupied' }),
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

/** The catalog's situation for a car in a fire lane: the first active one of the fire-lane scenario. */
export async function findFireLaneSituation(db: Knex): Promise<FireLaneSituation | undefined> {
  const s = await db('catalog_situation as s')
    .join('catalog_matter as m', 'm.code', 's.matter_code')
    .where({ 's.scenario': 'fire-lane', 's.active': true })
    .orderBy(['s.sort', 's.code'])
    .first('s.code', 's.matter_code', 'm.category_code', 's.lead_department', 's.collaborators');
  if (!s) return undefined;
  const collaborators = json<string[]>(s.collaborators) ?? [];
  return { code: s.code, matterCode: s.matter_code, categoryCode: s.category_code, leadDepartment: s.lead_department, collaborators };
}

export async function classifyFireLaneCase(db: Knex, caseId: string, s: FireLaneSituation | undefined, attachments: object[]): Promise<void> {
  await db('case').where({ id: caseId }).update({
    situation_code: s?.code ?? null,
    matter_code: s?.matterCode ?? null,
    category_code: s?.categoryCode ?? null,
    collaborators: JSON.stringify(s ? s.collaborators.filter((d) => d !== s.leadDepartment) : []),
    attachments: JSON.stringify(attachments),
  });
}

export async function appendCaseEvent(db: Knex, caseId: string, e: { type: string; actor: string; department?: string | null; at: Date; data: object }): Promise<void> {
  await db('case_event').insert({ case_id: caseId, at: e.at, type: e.type, actor: e.actor, department: e.department ?? null, data: JSON.stringify(e.data) });
}

/** Appends a detection's photo to the case's attachments. */
export async function addCaseAttachment(db: Knex, caseId: string, attachment: object): Promise<void> {
  await db('case').where({ id: caseId }).update({ attachments: db.raw(`attachments || ?::jsonb`, [JSON.stringify([attachment])]), updated_at: db.fn.now() });
}

export async function markCaseStarted(db: Knex, caseId: string, processInstanceKey: string, at: Date): Promise<void> {
  await db('case').where({ id: caseId }).update({ process_instance_key: processInstanceKey, status: 'handling', accepted_at: at, updated_at: at });
}

export async function cancelCase(db: Knex, caseId: string, at: Date): Promise<void> {
  await db('case').where({ id: caseId }).update({ status: 'cancelled', closed_at: at, updated_at: at });
}
