/**
 * POST Service Request: validates the form as GeoReport v2 defines it and files the request
 * through the one window — the existing case services (`createCase` + `startCaseIntake`,
 * domain/cases/case-service.ts), so an Open311 report is a case like any other.
 *
 * Never lost, never hanging (docs/intake.md): the case, its Open311 details and timeline event,
 * the pending start of `case-intake` and the idempotency key are written in one transaction
 * (domain/cases/pending-start.ts); the engine then gets a short deadline to start the instance and
 * the starter loop does it later if not. The case number is known at once, so the answer is the
 * same either way (`service_request_id`, never a token).
 *
 * Idempotency: the `Idempotency-Key` header, else `attribute[service_request_id_ext]` (the
 * client's own report id, as FixMyStreet sends it), per API key: a repeat with the same form
 * answers the first case; with another form → 400 with body code 422.
 */
import crypto from 'node:crypto';
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { ApiKeyService } from '../auth/api-key-service';
import { attemptStart, fileCase, INTAKE_START_DEADLINE_MS, requestHash } from '../../domain/cases/pending-start';
import { Open311Error } from './errors';
import { appendOpen311Event, attachOpen311Details, findMatter, type SituationRow } from './open311-queries';
import { checkJurisdiction, many, single, type RawParams } from './params';
import { serviceNotice } from './present-request';
import { CONFIDENTIAL_ATTRIBUTE, SITUATION_ATTRIBUTE } from './open311-service';

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
  idempotencyKey?: string,
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

  const s = situation!;
  const text = description ?? s.name;
  const location = { address: addressString ?? null, lat, lng };
  const reporter = { name: reporterName, phone: phone ?? null };
  // 举报人保密: attribute[confidential]=true (or 1/yes) hides the reporter from all but confidential-reader users.
  const confidential = ['true', '1', 'yes'].includes((attrs.get(CONFIDENTIAL_ATTRIBUTE)?.[0] ?? '').toLowerCase());
  const externalId = attrs.get('service_request_id_ext')?.[0] ?? null;
  // A retry of the same request (the client's Idempotency-Key, else its own report id) files nothing new.
  const key = idempotencyKey ?? (externalId ? `ext:${externalId}` : undefined);
  const { api_key: _secret, ...meaning } = form;
  const outcome = await fileCase(
    deps.db,
    { description: text, channel: 'open311', reporter, confidential, location, externalId },
    {
      // The reporter stays out of the process variables: workers read the (sealed) case row.
      variables: { channel: 'open311', location },
      idempotency: key ? { scope: `open311:${client.name}`, key, requestHash: requestHash(meaning) } : undefined,
      extra: async (trx, created) => {
        await attachOpen311Details(trx, created.id, {
          situation: s,
          attachments: mediaUrls.map((url) => ({ url, source: 'open311' })),
          token: crypto.randomBytes(16).toString('hex'),
        });
        await appendOpen311Event(trx, created.id, now, client.name, {
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
      },
    },
    now,
  );
  if (outcome.kind === 'mismatch')
    throw new Open311Error(400, [
      {
        code: 422,
        description: idempotencyKey
          ? 'This Idempotency-Key was already used for a different request.'
          : `service_request_id_ext "${externalId}" was already filed with different content.`,
      },
    ]);
  const caseId = outcome.kind === 'replay' ? outcome.caseId : outcome.created.id;
  if (outcome.kind === 'created' && deps.zbc)
    await attemptStart(deps.db, deps.zbc, caseId, {
      deadlineMs: INTAKE_START_DEADLINE_MS,
      now: () => now,
      log: deps.log,
    });
  const caseNo = (await deps.db('case').where({ id: caseId }).first('case_no')).case_no as string;
  // No agency named yet: the one window classifies the text itself and may route it elsewhere.
  return [
    {
      service_request_id: caseNo,
      service_notice: serviceNotice(s.name, s.slaWorkingHours, null),
      account_id: single(form, 'account_id') ?? null,
    },
  ];
}
