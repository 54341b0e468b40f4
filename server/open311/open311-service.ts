/**
 * The read side of the Open311 GeoReport v2 endpoint: discovery, services, service definitions,
 * requests (with the spec's 90-day window and 1000-request cap, paging and `extensions=true`),
 * tokens, and mySociety's `servicerequestupdates`. Answers are plain objects in the JSON shape;
 * the route renders them as XML or JSON. Failures are {@link Open311Error}s.
 */
import type { Knex } from 'knex';
import { toOpen311Date } from './dates';
import { Open311Error } from './errors';
import {
  catalogChangedAt,
  departmentNames,
  findMatter,
  findRequestRows,
  listServiceRows,
  timelineBetween,
  timelineOf,
  type RequestFilter,
  type RequestRow,
} from './open311-queries';
import { bool, checkJurisdiction, commaList, date, positiveInt, type RawParams } from './params';
import {
  presentNote,
  presentRequest,
  presentUpdate,
  PUBLIC_EVENT_TYPES,
  type DepartmentName,
  type Open311Request,
} from './present-request';

/** Spec volume rules for GET requests: a 90-day window by default and at most, 1000 requests. */
export const WINDOW_DAYS = 90;
export const MAX_REQUESTS = 1000;
const DAY_MS = 24 * 3600_000;
/** The attribute carrying the matter's problem situations (问题情形). */
export const SITUATION_ATTRIBUTE = 'situation';
/** 举报人保密: `true` keeps the reporter's identity from everyone but confidential-reader users. */
export const CONFIDENTIAL_ATTRIBUTE = 'confidential';

export const DISCOVERY_CONTACT = '宁波市江北区社会矛盾纠纷调处化解中心（OneMatter 平台管理员）';
export const DISCOVERY_KEY_SERVICE =
  'API keys (kind open311) are issued by the platform administrator: POST /api/admin/api-keys {"kind":"open311","name":"<client>"}; the key is shown once.';

export class Open311Service {
  /** Fallback changeset for an empty catalog: when this service was made (always in the past). */
  private readonly startedAt: Date;

  /** `now`: the app's clock (the spec's default 90-day window ends at it). */
  constructor(
    private readonly db: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.startedAt = now();
  }

  async discovery(baseUrl: string) {
    const changeset = toOpen311Date((await catalogChangedAt(this.db)) ?? this.startedAt)!;
    return {
      changeset,
      contact: DISCOVERY_CONTACT,
      key_service: DISCOVERY_KEY_SERVICE,
      endpoints: [
        {
          specification: 'http://wiki.open311.org/GeoReport_v2',
          url: `${baseUrl}/v2`,
          changeset,
          type: 'production',
          formats: ['text/xml', 'application/json'],
        },
      ],
    };
  }

  async services(params: RawParams) {
    checkJurisdiction(params);
    return (await listServiceRows(this.db)).map((s) => ({
      service_code: s.code,
      service_name: s.name,
      description: s.description,
      metadata: true,
      type: 'realtime',
      keywords: s.keywords.join(','),
      group: s.group,
    }));
  }

  async serviceDefinition(code: string, params: RawParams) {
    checkJurisdiction(params);
    const matter = await findMatter(this.db, code);
    if (!matter || matter.situations.length === 0)
      throw Open311Error.notFound(`service_code "${code}" is not a service of this endpoint.`);
    return {
      service_code: matter.code,
      attributes: [
        {
          variable: true,
          code: SITUATION_ATTRIBUTE,
          datatype: 'singlevaluelist',
          required: true,
          datatype_description: `问题情形：${matter.name}下的一项（key 为情形编码）`,
          order: 1,
          description: '请选择最符合的问题情形',
          values: matter.situations.map((s) => ({ key: s.code, name: s.name })),
        },
        {
          variable: true,
          code: CONFIDENTIAL_ATTRIBUTE,
          datatype: 'singlevaluelist',
          required: false,
          datatype_description: '举报人保密：true 时仅授权人员可见举报人姓名和电话',
          order: 2,
          description: '是否要求对举报人身份保密',
          values: [
            { key: 'true', name: '保密' },
            { key: 'false', name: '不保密' },
          ],
        },
      ],
    };
  }

  /** GET requests: `service_request_id` overrides every other filter (spec). */
  async requests(params: RawParams): Promise<Open311Request[]> {
    checkJurisdiction(params);
    const extensions = bool(params, 'extensions');
    const ids = commaList(params, 'service_request_id');
    if (ids) {
      if (ids.length > MAX_REQUESTS)
        throw Open311Error.badRequest(
          `service_request_id lists ${ids.length} ids; at most ${MAX_REQUESTS} are answered.`,
        );
      return this.present(await findRequestRows(this.db, { caseNos: ids, limit: MAX_REQUESTS, offset: 0 }), extensions);
    }
    const status = commaList(params, 'status');
    for (const s of status ?? []) {
      if (s !== 'open' && s !== 'closed') throw Open311Error.badRequest(`status "${s}" is not one of open, closed.`);
    }
    const { from, to } = window(date(params, 'start_date'), date(params, 'end_date'), this.now());
    const pageSize = positiveInt(params, 'page_size', MAX_REQUESTS) ?? MAX_REQUESTS;
    const page = positiveInt(params, 'page', 1_000_000) ?? 1;
    const filter: RequestFilter = {
      serviceCodes: commaList(params, 'service_code'),
      from,
      to,
      status: status as RequestFilter['status'],
      limit: pageSize,
      offset: (page - 1) * pageSize,
    };
    return this.present(await findRequestRows(this.db, filter), extensions);
  }

  async request(id: string, params: RawParams): Promise<Open311Request[]> {
    checkJurisdiction(params);
    const rows = await findRequestRows(this.db, { caseNos: [id], limit: 1, offset: 0 });
    if (!rows.length) throw Open311Error.notFound(`service_request_id "${id}" does not exist.`);
    return this.present(rows, bool(params, 'extensions'));
  }

  async token(token: string, params: RawParams) {
    checkJurisdiction(params);
    const rows = await findRequestRows(this.db, { token, limit: 1, offset: 0 });
    if (!rows.length) throw Open311Error.notFound(`token "${token}" does not exist.`);
    return [{ service_request_id: rows[0].caseNo, token }];
  }

  /** mySociety `servicerequestupdates`: public timeline events between start_date and end_date. */
  async updates(params: RawParams) {
    checkJurisdiction(params);
    const { from, to } = window(date(params, 'start_date'), date(params, 'end_date'), this.now());
    const events = await timelineBetween(this.db, PUBLIC_EVENT_TYPES, from, to, MAX_REQUESTS);
    const dept = await this.departmentNamer(events.map((e) => e.data.leadDepartment ?? e.department));
    return events.map((e) => presentUpdate(e, dept));
  }

  private async present(rows: RequestRow[], extensions: boolean): Promise<Open311Request[]> {
    const out = rows.map(presentRequest);
    if (!extensions) return out;
    const timeline = await timelineOf(
      this.db,
      rows.map((r) => r.id),
      PUBLIC_EVENT_TYPES,
    );
    const dept = await this.departmentNamer([
      ...rows.flatMap((r) => r.collaborators),
      ...timeline.map((e) => e.data.leadDepartment ?? e.department),
    ]);
    return out.map((request, i) => {
      const r = rows[i];
      return {
        ...request,
        extended_attributes: {
          channel: r.channel,
          case_no: r.caseNo,
          situation_code: r.situationCode,
          situation_name: r.situationName,
          scenario: r.scenario,
          lead_department: r.leadDepartment,
          collaborators: r.collaborators.map(dept),
          sla_light: r.light,
          media_urls: r.attachments.map((a) => a.url).filter((u): u is string => typeof u === 'string'),
        },
        notes: timeline.filter((e) => e.caseId === r.id).map((e) => presentNote(e, dept)),
      };
    });
  }

  private async departmentNamer(codes: unknown[]): Promise<DepartmentName> {
    const names = await departmentNames(
      this.db,
      codes.filter((c): c is string => typeof c === 'string'),
    );
    return (code) => (typeof code === 'string' ? (names.get(code) ?? code) : '');
  }
}

/**
 * The spec's window: no dates → the last 90 days; one date → 90 days from/to it; a range longer
 * than 90 days (or reversed) is a 400.
 */
export function window(
  start: Date | undefined,
  end: Date | undefined,
  now: Date = new Date(),
): { from: Date; to: Date } {
  const span = WINDOW_DAYS * DAY_MS;
  const from = start ?? new Date((end ?? now).getTime() - span);
  const to = end ?? (start ? new Date(start.getTime() + span) : now);
  if (to.getTime() < from.getTime()) throw Open311Error.badRequest('end_date is before start_date.');
  if (to.getTime() - from.getTime() > span)
    throw Open311Error.badRequest(`The date range may not exceed ${WINDOW_DAYS} days.`);
  return { from, to };
}
