/**
 * A case as an Open311 service request, and timeline events as notes / mySociety updates. The
 * closed loop (受理 → 分拨 → 处置 → 反馈 → 办结) is told in `status_notes`; `open`/`closed` is the
 * coarse spec status, the mySociety extended statuses are used for updates.
 */
import { RECEIPT_REPLY_DAYS } from '../../domain/cases/case-service';
import { toOpen311Date } from './dates';
import { CLOSED_CASE_STATUSES, type RequestRow, type TimelineRow } from './open311-queries';

export type Open311Status = 'open' | 'closed';

export function open311Status(caseStatus: string): Open311Status {
  return (CLOSED_CASE_STATUSES as readonly string[]).includes(caseStatus) ? 'closed' : 'open';
}

const STAGE_NOTES: Record<string, string> = {
  received: '已登记，等待受理（受理）',
  dispatching: '受理中心正在分拨（分拨）',
  handling: '承办部门处置中（处置）',
  suspended: '办理中止，等待补充材料或约定时间（处置）',
  replied: '已答复反映人（反馈）',
  closed: '已办结（办结）',
  cancelled: '已撤销',
  merged: '重复反映，已并单（办结）',
};

export function statusNotes(r: RequestRow): string {
  let note = STAGE_NOTES[r.status] ?? r.status;
  if (r.status === 'handling' && r.agency) note += `：${r.agency}牵头`;
  if (r.status === 'merged' && r.mergedIntoCaseNo) note += `，并入 ${r.mergedIntoCaseNo}`;
  if ((r.status === 'replied' || r.status === 'closed') && r.reply) note += `：${r.reply}`;
  return note;
}

/** The promise made on acceptance: the situation's SLA, else the one window's reply time. */
export function serviceNotice(
  situationName: string | null,
  slaWorkingHours: number | null,
  agency: string | null,
): string {
  if (situationName && slaWorkingHours) {
    return `${situationName}${agency ? `由${agency}牵头办理` : ''}，承诺 ${slaWorkingHours} 个工作小时内办结；受理后短信告知编号与进度。`;
  }
  return `受理后 ${RECEIPT_REPLY_DAYS} 个工作日内答复；受理后短信告知编号与进度。`;
}

export interface Open311Request {
  service_request_id: string;
  status: Open311Status;
  status_notes: string;
  service_name: string | null;
  service_code: string;
  description: string;
  agency_responsible: string | null;
  service_notice: string;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
  extended_attributes?: Record<string, unknown>;
  notes?: Array<{ datetime: string; description: string; type: string }>;
}

export function presentRequest(r: RequestRow): Open311Request {
  const closed = open311Status(r.status) === 'closed';
  return {
    service_request_id: r.caseNo,
    status: open311Status(r.status),
    status_notes: statusNotes(r),
    service_name: r.serviceName,
    service_code: r.matterCode,
    description: r.description,
    agency_responsible: r.agency,
    service_notice: serviceNotice(r.situationName, r.slaWorkingHours, r.agency),
    requested_datetime: toOpen311Date(r.createdAt)!,
    // "for closed requests this is the close time"
    updated_datetime: toOpen311Date(closed && r.closedAt ? r.closedAt : r.updatedAt)!,
    expected_datetime: toOpen311Date(r.dueAt),
    address: r.address,
    address_id: null,
    zipcode: null,
    lat: r.lat,
    long: r.lng,
    media_url: r.attachments.find((a) => typeof a.url === 'string')?.url ?? null,
  };
}

/** Timeline event types a reporter may see, with their mySociety status and wording. */
const PUBLIC_EVENTS: Record<
  string,
  { status: string; text: (e: TimelineRow, dept: (code: unknown) => string) => string }
> = {
  reported: { status: 'OPEN', text: () => '已登记（受理）' },
  accepted: { status: 'OPEN', text: () => '已受理，进入分拨（受理）' },
  dispatched: {
    status: 'INVESTIGATING',
    text: (e, dept) => `已分拨至${dept(e.data.leadDepartment ?? e.department)}办理（分拨）`,
  },
  returned: { status: 'INTERNAL_REFERRAL', text: () => '承办部门退回，受理中心重新分拨（分拨）' },
  'sla.suspended': { status: 'ACTION_SCHEDULED', text: () => '办理中止，等待补充材料或约定时间（处置）' },
  'sla.resumed': { status: 'IN_PROGRESS', text: () => '恢复办理（处置）' },
  replied: {
    status: 'IN_PROGRESS',
    text: (e) => `答复：${typeof e.data.reply === 'string' ? e.data.reply : ''}（反馈）`,
  },
  closed: { status: 'FIXED', text: () => '已办结（办结）' },
  reopened: { status: 'REOPEN', text: () => '反映人不满意，重新办理（回访）' },
  merged: { status: 'DUPLICATE', text: (e) => `重复反映，已并入 ${String(e.data.intoCaseNo ?? '')}（办结）` },
};

export const PUBLIC_EVENT_TYPES = Object.keys(PUBLIC_EVENTS);

export type DepartmentName = (code: unknown) => string;

export function presentNote(e: TimelineRow, dept: DepartmentName) {
  const p = PUBLIC_EVENTS[e.type];
  return { datetime: toOpen311Date(e.at)!, description: p.text(e, dept), type: e.type };
}

/** mySociety `request_update`. */
export function presentUpdate(e: TimelineRow, dept: DepartmentName) {
  const p = PUBLIC_EVENTS[e.type];
  return {
    update_id: e.id,
    service_request_id: e.caseNo,
    status: p.status,
    updated_datetime: toOpen311Date(e.at)!,
    description: p.text(e, dept),
    media_url: null,
  };
}
