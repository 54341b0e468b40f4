/**
 * The personal fields of cases, vehicles and SMS rows as stored: sealed on write, opened on read
 * (./pii-crypto.ts), and the start-up backfill and the key rotation that bring old rows in line.
 * Readers get plaintext through {@link openCase}/{@link openVehicle}; what leaves the platform is
 * masked by the presenters (server/cases/case-view.ts) unless a reason is given (./access-log.ts).
 */
import type { Knex } from 'knex';
import { isSealed, piiKeyring, type PiiKeyring } from './pii-crypto';

/** What the reporter of a confidential case (举报人保密) is shown as to everyone without `confidential-reader`. */
export const CONFIDENTIAL_MARK = '保密';

/** The stored columns of a reporter: sealed name and phone and the phone's search hash. */
export function sealReporter(
  reporter: { name?: string | null; phone?: string | null } | undefined,
  ring: PiiKeyring = piiKeyring(),
): { reporter_name: string | null; reporter_phone: string | null; reporter_phone_hash: string | null } {
  const name = reporter?.name ?? null;
  const phone = reporter?.phone ?? null;
  return {
    reporter_name: ring.encrypt(name),
    reporter_phone: ring.encrypt(phone),
    reporter_phone_hash: phone ? ring.phoneHash(phone) : null,
  };
}

/** A case row with its reporter's name and phone opened (rows without them pass through). */
export function openCase<T extends { reporter_name?: string | null; reporter_phone?: string | null }>(
  row: T,
  ring?: PiiKeyring,
): T;
export function openCase<T extends { reporter_name?: string | null; reporter_phone?: string | null }>(
  row: T | undefined,
  ring?: PiiKeyring,
): T | undefined;
export function openCase<T extends { reporter_name?: string | null; reporter_phone?: string | null }>(
  row: T | undefined,
  ring: PiiKeyring = piiKeyring(),
): T | undefined {
  if (!row) return row;
  const out = { ...row };
  if ('reporter_name' in row) out.reporter_name = ring.decrypt(row.reporter_name);
  if ('reporter_phone' in row) out.reporter_phone = ring.decrypt(row.reporter_phone);
  return out;
}

/** A vehicle row with its owner's name and phone opened. */
export function openVehicle<T extends { owner_name?: string | null; owner_phone?: string | null }>(
  row: T,
  ring: PiiKeyring = piiKeyring(),
): T {
  const out = { ...row };
  if ('owner_name' in row) out.owner_name = ring.decrypt(row.owner_name) as T['owner_name'];
  if ('owner_phone' in row) out.owner_phone = ring.decrypt(row.owner_phone) as T['owner_phone'];
  return out;
}

/** Restricts a case query to the cases reported with `phone` (its hash under every known key). */
export function whereReporterPhone(q: Knex.QueryBuilder, phone: string, ring: PiiKeyring = piiKeyring()) {
  return q.whereIn('case.reporter_phone_hash', ring.phoneHashes(phone));
}

export interface SealReport {
  cases: number;
  vehicles: number;
  notifications: number;
}

const BATCH = 500;
const SEAL_LOCK = 'privacy:seal';

/**
 * Seals every plaintext personal field and re-wraps every value sealed under an old master key, in
 * batches; the phone hashes are recomputed under the current key. Idempotent: a second run finds
 * nothing. One process at a time (a transaction-scoped advisory lock per batch; a process that does
 * not get it skips the batch: the holder does the work). Used by the start-up backfill and by
 * `npm run pii:rotate`.
 */
export async function sealAll(db: Knex, ring: PiiKeyring = piiKeyring()): Promise<SealReport> {
  const report: SealReport = { cases: 0, vehicles: 0, notifications: 0 };
  const stale = (col: string) => (w: Knex.QueryBuilder) =>
    w.whereNotNull(col).andWhere((x) => x.whereNot(col, 'like', `pii1:${ring.currentId}:%`));
  const tables = [
    {
      name: 'case' as const,
      key: 'id',
      cols: ['reporter_name', 'reporter_phone'],
      hash: { from: 'reporter_phone', to: 'reporter_phone_hash' },
    },
    { name: 'vehicle' as const, key: 'plate', cols: ['owner_name', 'owner_phone'] },
    {
      name: 'notification' as const,
      key: 'id',
      cols: ['to_phone'],
      hash: { from: 'to_phone', to: 'to_phone_hash' },
    },
  ];
  for (const t of tables) {
    let after: string | number | null = null;
    for (;;) {
      const done: number | null = await db.transaction(async (trx) => {
        const got = await trx.raw('select pg_try_advisory_xact_lock(hashtext(?)) as ok', [SEAL_LOCK]);
        if (!got.rows[0].ok) return null;
        const q = trx(t.name)
          .select([t.key, ...t.cols])
          .where((w) => {
            for (const c of t.cols) w.orWhere(stale(c));
          })
          .orderBy(t.key)
          .limit(BATCH);
        if (after !== null) q.where(t.key, '>', after);
        const rows: Record<string, string | null>[] = await q;
        for (const r of rows) {
          const patch: Record<string, string | null> = {};
          for (const c of t.cols) patch[c] = r[c] == null ? null : ring.rewrap(r[c]!);
          if (t.hash) {
            const plain = ring.decrypt(patch[t.hash.from]);
            patch[t.hash.to] = plain ? ring.phoneHash(plain) : null;
          }
          await trx(t.name).where(t.key, r[t.key]!).update(patch);
        }
        if (rows.length) after = rows[rows.length - 1][t.key] as string;
        return rows.length;
      });
      if (done === null) return report; // another process holds the lock and does the work
      report[t.name === 'case' ? 'cases' : t.name === 'vehicle' ? 'vehicles' : 'notifications'] += done;
      if (done < BATCH) break;
    }
  }
  return report;
}

/** How many stored personal values are plaintext or sealed under another key than the current one. */
export async function countUnsealed(db: Knex, ring: PiiKeyring = piiKeyring()): Promise<number> {
  let n = 0;
  for (const [table, cols] of [
    ['case', ['reporter_name', 'reporter_phone']],
    ['vehicle', ['owner_name', 'owner_phone']],
    ['notification', ['to_phone']],
  ] as const) {
    for (const c of cols) {
      const [{ count }] = await db(table)
        .whereNotNull(c)
        .whereNot(c, 'like', `pii1:${ring.currentId}:%`)
        .count({ count: '*' });
      n += Number(count);
    }
  }
  return n;
}

export { isSealed };
