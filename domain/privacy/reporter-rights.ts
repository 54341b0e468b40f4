/**
 * A reporter's rights over their own data (个人信息保护法 arts. 45 and 47): download it and have it
 * erased. The reporter proves the phone with a one-time SMS code (template `reporter.verify`, valid
 * 10 minutes, 5 wrong tries, at most 5 codes a phone a day); the code is stored only as a keyed hash,
 * the phone only as its search hash.
 *
 * Erasure anonymises the reporter's closed (cancelled, merged) cases: name, phone and hash are cleared
 * and `personal_data_erased_at` set; the case, its text and figures stay for the statistics. Open cases
 * keep the contact (it is needed to answer them) and are listed back as not erased.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { enqueue } from '../notify/outbox';
import { normalizeMobile } from '../notify/mask';
import { openCase } from './personal-data';
import { piiKeyring } from './pii-crypto';
import type { DomainResult } from '../errors';

export const CODE_TTL_MS = 10 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;
export const MAX_CODES_PER_DAY = 5;
const FINISHED = ['closed', 'cancelled', 'merged'];

const codeHash = (id: string, code: string) =>
  crypto
    .createHmac('sha256', piiKeyring().phoneHash(`verify:${id}`))
    .update(code)
    .digest('hex');

/** Sends a 6-digit code to `phone`; answers the verification id the code must come back with. */
export async function requestReporterCode(
  db: Knex,
  phone: string,
  now: Date,
  opts: { dailyCapPerPhone?: number; code?: () => string } = {},
): Promise<DomainResult<{ verificationId: string; expiresAt: Date }>> {
  let mobile: string;
  try {
    mobile = normalizeMobile(phone);
  } catch (err) {
    return { ok: false, kind: 'invalid', code: 'PHONE_INVALID', detail: (err as Error).message };
  }
  const hash = piiKeyring().phoneHash(mobile);
  const [{ n }] = await db('reporter_verification')
    .where({ phone_hash: hash })
    .where('created_at', '>', new Date(now.getTime() - 86_400_000))
    .count({ n: '*' });
  if (Number(n) >= MAX_CODES_PER_DAY)
    return {
      ok: false,
      kind: 'conflict',
      code: 'TOO_MANY_CODES',
      detail: `at most ${MAX_CODES_PER_DAY} codes a day are sent to one phone; try again tomorrow`,
    };
  const id = crypto.randomUUID();
  const code = opts.code?.() ?? String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
  const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
  await db('reporter_verification').insert({
    id,
    phone_hash: hash,
    code_hash: codeHash(id, code),
    expires_at: expiresAt,
    created_at: now,
  });
  await enqueue(
    db,
    { idempotencyKey: `reporter.verify:${id}`, to: mobile, template: 'reporter.verify', params: { code } },
    { now: () => now, dailyCapPerPhone: opts.dailyCapPerPhone },
  );
  return { ok: true, value: { verificationId: id, expiresAt } };
}

/** Checks a code; a wrong one counts an attempt. Answers the phone's search hash when it is right. */
export async function checkReporterCode(
  db: Knex,
  input: { verificationId: string; phone: string; code: string },
  now: Date,
): Promise<DomainResult<{ phone: string }>> {
  const refused = (detail: string): DomainResult<{ phone: string }> => ({
    ok: false,
    kind: 'invalid',
    code: 'CODE_INVALID',
    detail,
  });
  let mobile: string;
  try {
    mobile = normalizeMobile(input.phone);
  } catch {
    return refused('the phone number, verification or code does not match');
  }
  const v = await db('reporter_verification').where({ id: input.verificationId }).first();
  if (!v || v.phone_hash !== piiKeyring().phoneHash(mobile))
    return refused('the phone number, verification or code does not match');
  if (new Date(v.expires_at) <= now) return refused('the code has expired; ask for a new one');
  if (v.attempts >= MAX_CODE_ATTEMPTS) return refused('too many wrong codes; ask for a new one');
  const given = Buffer.from(codeHash(v.id, String(input.code).trim()));
  if (!crypto.timingSafeEqual(given, Buffer.from(v.code_hash))) {
    await db('reporter_verification')
      .where({ id: v.id })
      .update({ attempts: v.attempts + 1 });
    return refused('the phone number, verification or code does not match');
  }
  if (!v.used_at) await db('reporter_verification').where({ id: v.id }).update({ used_at: now });
  return { ok: true, value: { phone: mobile } };
}

/** Everything stored about the reporter of `phone`, opened: their cases with what they gave and were told. */
export async function exportReporterData(db: Knex, phone: string, now: Date) {
  const rows = await db('case').whereIn('reporter_phone_hash', piiKeyring().phoneHashes(phone)).orderBy('created_at');
  const cases = [];
  for (const raw of rows) {
    const c = openCase(raw);
    const sms = await db('notification')
      .where({ case_id: c.id })
      .whereIn('to_phone_hash', piiKeyring().phoneHashes(phone))
      .orderBy('queued_at')
      .select('template', 'text', 'status', 'queued_at', 'sent_at');
    cases.push({
      caseNo: c.case_no,
      status: c.status,
      reportedAt: new Date(c.created_at).toISOString(),
      closedAt: c.closed_at ? new Date(c.closed_at).toISOString() : null,
      channel: c.channel,
      description: c.description,
      reporter: { name: c.reporter_name, phone: c.reporter_phone },
      confidential: !!c.confidential,
      location: {
        address: c.address,
        lat: c.lat == null ? null : Number(c.lat),
        lng: c.lng == null ? null : Number(c.lng),
      },
      attachments: typeof c.attachments === 'string' ? JSON.parse(c.attachments) : (c.attachments ?? []),
      reply: c.reply ?? null,
      rating:
        c.rating_satisfied == null ? null : { satisfied: !!c.rating_satisfied, comment: c.rating_comment ?? null },
      sms: sms.map((s: any) => ({
        template: s.template,
        text: s.text,
        status: s.status,
        queuedAt: new Date(s.queued_at).toISOString(),
        sentAt: s.sent_at ? new Date(s.sent_at).toISOString() : null,
      })),
    });
  }
  return { exportedAt: now.toISOString(), phone, cases };
}

/**
 * Erases the reporter's personal fields from their finished cases and the numbers of those cases' SMS;
 * answers the case numbers erased and those kept because they are still open.
 */
export async function eraseReporterData(
  db: Knex,
  phone: string,
  now: Date,
): Promise<{ erased: string[]; keptOpen: string[] }> {
  const hashes = piiKeyring().phoneHashes(phone);
  return db.transaction(async (trx) => {
    const mine = await trx('case').whereIn('reporter_phone_hash', hashes).select('id', 'case_no', 'status');
    const done = mine.filter((c: any) => FINISHED.includes(c.status));
    const ids = done.map((c: any) => c.id);
    if (ids.length) {
      await trx('case').whereIn('id', ids).update({
        reporter_name: null,
        reporter_phone: null,
        reporter_phone_hash: null,
        personal_data_erased_at: now,
      });
      await trx('notification')
        .whereIn('case_id', ids)
        .whereIn('status', ['sent', 'failed', 'capped'])
        .update({ to_phone: '', to_phone_hash: null, text: '', params: '{}' });
    }
    return {
      erased: done.map((c: any) => c.case_no),
      keptOpen: mine.filter((c: any) => !FINISHED.includes(c.status)).map((c: any) => c.case_no),
    };
  });
}
