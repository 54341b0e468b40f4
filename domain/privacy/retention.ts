/**
 * Retention (个人信息保护法 art. 19: kept no longer than needed). One purge a day on the app clock, by
 * one process at a time (a transaction-scoped PostgreSQL advisory lock: a process that does not get it
 * skips the run), erasing each kind of personal data past its rule (./config.ts `RETENTION_*_DAYS`,
 * 0 = keep) and writing a purge report with the counts per kind that admins read.
 *
 * | kind | what goes | what stays |
 * | --- | --- | --- |
 * | `reporterContact` | name, phone and phone hash of cases closed (or cancelled, merged) longer ago | the case, its text and figures |
 * | `sms` | number, text and params of SMS rows finished longer ago | status, template, times (the outbox's figures) |
 * | `camera` | camera detections (plate, image link, payload) received longer ago | the case and its timeline |
 * | `sessions` | login sessions expired longer ago | — |
 * | `purgeReports` | purge reports older than their rule | — |
 * | audit and access records | nothing: the audit log is append-only by trigger | everything (counted as `auditKept`) |
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { shanghaiDate } from '../sla/working-time';
import type { RetentionRules } from './config';

export const DEFAULT_RETENTION: RetentionRules = {
  reporterContactDays: 730,
  smsDays: 180,
  cameraDays: 90,
  sessionDays: 30,
  purgeReportDays: 1095,
};

export interface PurgeCounts {
  reporterContact: number;
  sms: number;
  camera: number;
  sessions: number;
  purgeReports: number;
  /** Audit and access records older than the longest rule, kept (append-only). */
  auditKept: number;
}

export interface PurgeReport {
  id: string;
  ranAt: string;
  counts: PurgeCounts;
  rules: RetentionRules;
}

const PURGE_LOCK = 'privacy:purge';
const DAY_MS = 86_400_000;
const FINISHED_CASE = ['closed', 'cancelled', 'merged'];
const FINISHED_SMS = ['sent', 'failed', 'capped'];

/** Rows a write touched: a number from pg, a result object from knex-pglite's delete. */
const touched = (r: unknown): number =>
  typeof r === 'number'
    ? r
    : Number(
        (r as { rowCount?: number; affectedRows?: number })?.rowCount ??
          (r as { affectedRows?: number })?.affectedRows ??
          0,
      );

const before = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS);

/** Runs one purge now; null when another process holds the lock (it is purging). */
export async function runRetentionPurge(db: Knex, rules: RetentionRules, now: Date): Promise<PurgeReport | null> {
  return db.transaction(async (trx) => {
    const got = await trx.raw('select pg_try_advisory_xact_lock(hashtext(?)) as ok', [PURGE_LOCK]);
    if (!got.rows[0].ok) return null;
    const counts: PurgeCounts = { reporterContact: 0, sms: 0, camera: 0, sessions: 0, purgeReports: 0, auditKept: 0 };
    if (rules.reporterContactDays > 0)
      counts.reporterContact = touched(
        await trx('case')
          .whereIn('status', FINISHED_CASE)
          .where('closed_at', '<', before(now, rules.reporterContactDays))
          .where((w) => w.whereNotNull('reporter_name').orWhereNotNull('reporter_phone'))
          .update({
            reporter_name: null,
            reporter_phone: null,
            reporter_phone_hash: null,
            personal_data_erased_at: now,
          }),
      );
    if (rules.smsDays > 0)
      counts.sms = touched(
        await trx('notification')
          .whereIn('status', FINISHED_SMS)
          .where('updated_at', '<', before(now, rules.smsDays))
          .whereNot('to_phone', '')
          .update({ to_phone: '', to_phone_hash: null, text: '', params: '{}' }),
      );
    if (rules.cameraDays > 0)
      counts.camera = touched(
        await trx('device_event').where('received_at', '<', before(now, rules.cameraDays)).delete(),
      );
    if (rules.sessionDays > 0)
      counts.sessions = touched(await trx('session').where('expires_at', '<', before(now, rules.sessionDays)).delete());
    if (rules.purgeReportDays > 0)
      counts.purgeReports = touched(
        await trx('privacy_purge_report').where('ran_at', '<', before(now, rules.purgeReportDays)).delete(),
      );
    const [{ n }] = await trx('audit_log')
      .where('at', '<', before(now, Math.max(rules.reporterContactDays, rules.smsDays, 1)))
      .count({ n: '*' });
    counts.auditKept = Number(n);
    const [row] = await trx('privacy_purge_report')
      .insert({ ran_at: now, counts: JSON.stringify(counts), rules: JSON.stringify(rules) })
      .returning('*');
    return toReport(row);
  });
}

function toReport(r: any): PurgeReport {
  const j = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return { id: String(r.id), ranAt: new Date(r.ran_at).toISOString(), counts: j(r.counts), rules: j(r.rules) };
}

/** The newest purge reports first. */
export async function listPurgeReports(db: Knex, limit = 30): Promise<PurgeReport[]> {
  const rows = await db('privacy_purge_report').orderBy('ran_at', 'desc').orderBy('id', 'desc').limit(limit);
  return rows.map(toReport);
}

/**
 * The daily purge: every `checkEveryMs` (default an hour) it looks whether a report exists for the
 * app clock's Asia/Shanghai day and runs one if not, so a restart or a second process does not purge
 * twice a day, and a day the platform was down is purged on the next start.
 */
export class RetentionJob {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly o: {
      db: Knex;
      rules: RetentionRules;
      now?: () => Date;
      log: Pick<Logger, 'info' | 'warn'>;
      checkEveryMs?: number;
    },
  ) {}

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  /** Runs the purge if none ran on the app clock's day yet; answers the report, or null. */
  async tick(): Promise<PurgeReport | null> {
    const now = this.now();
    const [last] = await listPurgeReports(this.o.db, 1);
    if (last && shanghaiDate(new Date(last.ranAt)) === shanghaiDate(now)) return null;
    const report = await runRetentionPurge(this.o.db, this.o.rules, now);
    if (report) this.o.log.info({ counts: report.counts }, 'personal data past its retention purged');
    return report;
  }

  start(): void {
    const run = () => {
      this.running = this.tick().catch((err) => this.o.log.warn({ err }, 'retention purge failed; next check later'));
    };
    run();
    this.timer = setInterval(run, this.o.checkEveryMs ?? 3600_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
