/**
 * The audit log (`audit_log`, append-only by trigger): who changed what, when, from where, and how it
 * ended. The one writer is {@link appendAudit}; the HTTP layer calls it for every state-changing
 * request of an admin, designer or supervisor (server/http/define-route.ts), so a new route is audited
 * without anyone remembering to.
 */
import type { Knex } from 'knex';

/** Roles whose every change is audited. Clerks' work is recorded on the case timeline instead. */
export const AUDITED_ROLES = ['admin', 'designer', 'supervisor'] as const;

export interface AuditEntry {
  at: Date;
  actor: string;
  roles: string[];
  /** `METHOD /path/:param` — the operation, as declared. */
  action: string;
  /** The operation in words (its OpenAPI summary). */
  summary: string;
  /** What it acted on: the path parameters, `key=value` joined by `, `. */
  target?: string | null;
  /** The validated JSON body, secrets redacted ({@link redactDetail}). */
  detail?: unknown;
  status: number;
  ip?: string | null;
  requestId?: string | null;
}

export interface AuditRecord extends Omit<AuditEntry, 'at'> {
  id: string;
  at: string;
}

const MAX_DETAIL_BYTES = 4096;
const MAX_DEPTH = 8;
const MAX_NODES = 2000;
const TOO_BIG = new Error('audit detail too big');
const SECRET_KEY = /pass(word)?|secret|token|api_?key|^key$|credential|private/i;

/**
 * A body as it may be kept: secret fields replaced by "[redacted]" at any depth, and anything over
 * 4 KB replaced by a note of its size (a catalog import or a model upload is not copied into the log;
 * the deployment and catalog tables keep those).
 */
export function redactDetail(body: unknown): unknown {
  if (body === undefined || body === null) return null;
  let nodes = 0;
  // bounded by depth and node count, so a hostile body (deeply nested, huge) costs nothing
  const walk = (v: unknown, depth: number): unknown => {
    if (++nodes > MAX_NODES) throw TOO_BIG;
    if (Buffer.isBuffer(v)) return `[${v.length} bytes]`;
    if (v === null || typeof v !== 'object' || v instanceof Date) return v;
    if (depth >= MAX_DEPTH) return '[…]';
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [
        k,
        SECRET_KEY.test(k) ? '[redacted]' : walk(x, depth + 1),
      ]),
    );
  };
  let clean: unknown;
  try {
    clean = walk(body, 0);
  } catch (err) {
    if (err !== TOO_BIG) throw err;
    return { omitted: `more than ${MAX_NODES} values` };
  }
  const bytes = Buffer.byteLength(JSON.stringify(clean) ?? 'null');
  return bytes > MAX_DETAIL_BYTES ? { omitted: `${bytes} bytes` } : clean;
}

export async function appendAudit(db: Knex, e: AuditEntry): Promise<void> {
  await db('audit_log').insert({
    at: e.at,
    actor: e.actor.slice(0, 100),
    roles: e.roles,
    action: e.action.slice(0, 200),
    summary: e.summary.slice(0, 300),
    target: e.target ? e.target.slice(0, 300) : null,
    detail: e.detail === undefined || e.detail === null ? null : JSON.stringify(e.detail),
    status: e.status,
    ip: e.ip ? e.ip.slice(0, 64) : null,
    request_id: e.requestId ? e.requestId.slice(0, 64) : null,
  });
}

export interface AuditFilter {
  actor?: string;
  /** Matches the action or the summary, case-insensitively. */
  q?: string;
  from?: Date;
  to?: Date;
  outcome?: 'done' | 'refused';
  /** Keyset paging: rows with a smaller id (older). */
  before?: string;
  limit: number;
}

function filtered(db: Knex, f: AuditFilter): Knex.QueryBuilder {
  const q = db('audit_log');
  if (f.actor) q.where('actor', f.actor);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q.where((w) => w.whereILike('action', like).orWhereILike('summary', like));
  }
  if (f.from) q.where('at', '>=', f.from);
  if (f.to) q.where('at', '<', f.to);
  if (f.outcome === 'done') q.where('status', '<', 400);
  if (f.outcome === 'refused') q.where('status', '>=', 400);
  return q;
}

function toRecord(r: any): AuditRecord {
  return {
    id: String(r.id),
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    roles: r.roles,
    action: r.action,
    summary: r.summary,
    target: r.target,
    detail: r.detail ?? null,
    status: r.status,
    ip: r.ip,
    requestId: r.request_id,
  };
}

/** Newest first; `total` counts every row of the filter, so a page and its figure agree. */
export async function listAudit(db: Knex, f: AuditFilter): Promise<{ items: AuditRecord[]; total: number }> {
  const page = filtered(db, f).orderBy('id', 'desc').limit(f.limit);
  if (f.before) page.where('id', '<', f.before);
  const [rows, [{ n }]] = await Promise.all([page.select('*'), filtered(db, f).count({ n: '*' })]);
  return { items: rows.map(toRecord), total: Number(n) };
}

/** Every row of the filter, oldest first, in batches (for the CSV export). */
export async function* eachAudit(db: Knex, f: Omit<AuditFilter, 'limit' | 'before'>): AsyncGenerator<AuditRecord> {
  let after = '0';
  for (;;) {
    const rows = await filtered(db, { ...f, limit: 0 })
      .where('id', '>', after)
      .orderBy('id', 'asc')
      .limit(1000);
    for (const r of rows) yield toRecord(r);
    if (rows.length < 1000) return;
    after = String(rows[rows.length - 1].id);
  }
}
