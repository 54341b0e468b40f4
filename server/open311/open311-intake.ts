/**
 * POST Service Request: validates the form as GeoReport v2 defines it and files the request
 * through the one window — the existing case services (`createCase` + `startCaseIntake`,
 * domain/cases/case-service.ts), so an Open311 report is a case like any other.
 *
 * Failure handling: the case row is written first, then the engine is asked to start
 * `case-intake`. If that call fails the case is deleted again (its timeline goes with it, by the
 * foreign key's cascade) and the client gets a 400 (the spec's status for "back end down", with a
 * more specific code 503 in the body), so nothing half-filed stays behind and a retry files it
 * afresh. Should the engine have started the instance while its answer was lost, that instance's
 * first job (`case.accept`) finds no case and raises an incident an admin sees — loud, not silent.
 */
import crypto from 'node:crypto';
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { ApiKeyService } from '../auth/api-key-service';
import { createCase, startCaseIntake } from '../../domain/cases/case-service';
import { Open311Error } from './errors';
import { appendOpen311Event, attachOpen311Details, deleteCase, findMatter, type SituationRow } from './open311-queries';
import { checkJurisdiction, many, single, type RawParams } from './params';
import { serviceNotice } from './present-request';
import { SITUATION_ATTRIBUTE } from './open311-service';

const MAX_DESCRIPTION = 4000;

export interface IntakeDeps {
  db: Knex;
  apiKeys: ApiKeyService;
  zbc?: Zeebe.ZeebeGrpcClient;
  log: Logger;
}

export interface PostedRequest {
  service_request_id: string;
  service_notice: string;
  account_id: string | null;
}

/** `attribute[CODE]` and `attribute[CODE][]` fields of the form, by CODE. */
function attributes(form: RawParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const key of Object.keys(form)) {
    const m = /^attribute\[([^\]]+)\](\[\])?$/.exec(key);
    if (m) out.set(m[1], [...(out.get(m[1]) ?? []), ...many(form, key)]);
  }
  return out;
}

function coordinate(raw: string | undefined, name: 'lat' | 'long', limit: number, errors: string[]): number | null {
  if (raw === undefined) return null;
  const n = /^[+-]?\d{1,3}(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n) || Math.abs(n) > limit) {
    errors.push(
      `${name} "${raw}" is not a WGS84 ${name === 'lat' ? 'latitude (-90 … 90)' : 'longitude (-180 … 180)'}.`,
    );
    return null;
  }
  return n;
}

function checkLength(value: string | undefined, name: string, max: number, errors: string[]): void {
  if (value !== undefined && value.length > max)
    errors.push(`${name} is ${value.length} characters long; at most ${max} are accepted.`);
}

export async function submitServiceRequest(
  deps: IntakeDeps,
  form: RawParams,
  now: Date = new Date(),
): Promise<PostedRequest[]> {
  // 403 before anything else: a keyless caller learns nothing about the catalog.
  const apiKey = single(form, 'api_key');
  if (!apiKey) throw Open311Error.forbidden('api_key is required to post a service request.');
  const client = await deps.apiKeys.verify(apiKey, 'open311');
  if (!client) throw Open311Error.forbidden('api_key is not a valid Open311 key.');
  checkJurisdiction(form);

  const errors: string[] = [];
  const serviceCode = single(form, 'service_code');
  if (!serviceCode) errors.push('service_code is required.');
  const matter = serviceCode ? await findMatter(deps.db, serviceCode) : undefined;
  if (serviceCode && (!matter || matter.situations.length === 0))
    throw Open311Error.notFound(`service_code "${serviceCode}" is not a service of this endpoint.`);

  // One location: lat+long, or address_string, or address_id.
  const latRaw = single(form, 'lat');
  const longRaw = single(form, 'long');
  const addressString = single(form, 'address_string');
  const addressId = single(form, 'address_id');
  if ((latRaw === undefined) !== (longRaw === undefined)) errors.push('lat and long must be sent together.');
  const lat = coordinate(latRaw, 'lat', 90, errors);
  const lng = coordinate(longRaw, 'long', 180, errors);
  if (latRaw === undefined && longRaw === undefined && !addressString && !addressId) {
    errors.push('A location is required: lat and long, or address_string, or address_id.');
  }
  checkLength(addressString, 'address_string', 500, errors);

  const description = single(form, 'description');
  checkLength(description, 'description', MAX_DESCRIPTION, errors);
  const firstName = single(form, 'first_name');
  const lastName = single(form, 'last_name');
  const reporterName = [firstName, lastName].filter(Boolean).join(' ') || null;
  checkLength(reporterName ?? undefined, 'first_name + last_name', 100, errors);
  const phone = single(form, 'phone');
  checkLength(phone, 'phone', 32, errors);
  const mediaUrls = many(form, 'media_url');
  for (const url of mediaUrls) {
    if (!/^https?:\/\/\S+$/i.test(url) || url.length > 2000)
      errors.push(`media_url "${url.slice(0, 100)}" is not an http(s) URL.`);
  }

  // Attributes of the service definition; others (FixMyStreet sends report_url, easting …) are kept.
  const attrs = attributes(form);
  let situation: SituationRow | undefined;
  if (matter) {
    const chosen = attrs.get(SITUATION_ATTRIBUTE) ?? [];
    if (chosen.length === 0)
      errors.push(`attribute[${SITUATION_ATTRIBUTE}] is required: one of the values of GET services/${matter.code}.`);
    else if (chosen.length > 1) errors.push(`attribute[${SITUATION_ATTRIBUTE}] is a singlevaluelist; send one value.`);
    else {
      situation = matter.situations.find((s) => s.code === chosen[0]);
      if (!situation)
        errors.push(`attribute[${SITUATION_ATTRIBUTE}] "${chosen[0]}" is not a value of service ${matter.code}.`);
    }
  }
  if (errors.length) throw Open311Error.badRequest(...errors);
  if (!deps.zbc)
    throw new Open311Error(400, [
      { code: 503, description: 'The case system is not connected; nothing was filed. Try again later.' },
    ]);

  const s = situation!;
  const text = description ?? s.name;
  const location = { address: addressString ?? null, lat, lng };
  const reporter = { name: reporterName, phone: phone ?? null };
  const externalId = attrs.get('service_request_id_ext')?.[0] ?? null;
  const created = await createCase(
    deps.db,
    { description: text, channel: 'open311', reporter, location, externalId },
    now,
  );
  try {
    await attachOpen311Details(deps.db, created.id, {
      situation: s,
      attachments: mediaUrls.map((url) => ({ url, source: 'open311' })),
      token: crypto.randomBytes(16).toString('hex'),
    });
    await appendOpen311Event(deps.db, created.id, now, client.name, {
      client: client.name,
      serviceCode: s.matterCode,
      situation: s.code,
      email: single(form, 'email') ?? null,
      deviceId: single(form, 'device_id') ?? null,
      accountId: single(form, 'account_id') ?? null,
      addressId: addressId ?? null,
      jurisdictionId: single(form, 'jurisdiction_id') ?? null,
      attributes: Object.fromEntries(attrs),
    });
    await startCaseIntake(deps.db, deps.zbc, created.id, { channel: 'open311', reporter, location });
  } catch (err) {
    deps.log.error(
      { err, caseId: created.id, caseNo: created.caseNo },
      'Open311 request not filed: the one window could not be started; the case was removed',
    );
    await deleteCase(deps.db, created.id);
    throw new Open311Error(400, [
      {
        code: 503,
        description: 'The case system could not take the request right now; nothing was filed. Try again later.',
      },
    ]);
  }
  // No agency named yet: the one window classifies the text itself and may route it elsewhere.
  return [
    {
      service_request_id: created.caseNo,
      service_notice: serviceNotice(s.name, s.slaWorkingHours, null),
      account_id: single(form, 'account_id') ?? null,
    },
  ];
}
