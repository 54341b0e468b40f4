/**
 * The `sla_clock` rows the SLA workers keep: one per guarded step, keyed by `slaKey`. The clock's
 * due date is mirrored onto the step's open task rows and onto the case, so the task list and the
 * case show the deadline in force after an extension or a suspension.
 */
import type { Knex } from 'knex';

export interface SlaClockRow {
  sla_key: string;
  case_id: string | null;
  process_instance_key: string;
  bpmn_process_id: string;
  step: string;
  department: string | null;
  working_hours: number;
  started_at: Date;
  warn_at: Date;
  due_at: Date;
  state: 'running' | 'suspended' | 'stopped';
  light: 'green' | 'yellow' | 'red';
  suspended_at: Date | null;
  remaining_hours: number | null;
  suspended_hours: number;
  extended_hours: number;
  yellow_at: Date | null;
  red_at: Date | null;
  escalated_at: Date | null;
  stopped_at: Date | null;
}

export async function findClock(db: Knex, slaKey: string): Promise<SlaClockRow | undefined> {
  const row = await db('sla_clock').where({ sla_key: slaKey }).first();
  return row ? normalize(row) : undefined;
}

export async function requireClock(db: Knex, slaKey: string): Promise<SlaClockRow> {
  const row = await findClock(db, slaKey);
  if (!row) throw new Error(`Expected an SLA clock ${slaKey}, but there is none`);
  return row;
}

function normalize(row: Record<string, unknown>): SlaClockRow {
  const r = row as unknown as SlaClockRow;
  return {
    ...r,
    working_hours: Number(r.working_hours),
    remaining_hours: r.remaining_hours == null ? null : Number(r.remaining_hours),
    suspended_hours: Number(r.suspended_hours),
    extended_hours: Number(r.extended_hours),
    started_at: new Date(r.started_at),
    warn_at: new Date(r.warn_at),
    due_at: new Date(r.due_at),
  };
}

export async function updateClock(db: Knex, slaKey: string, patch: Partial<SlaClockRow>, at: Date): Promise<void> {
  await db('sla_clock')
    .where({ sla_key: slaKey })
    .update({ ...patch, updated_at: at });
}

/** Mirrors the clock's times and light onto its open tasks and its case. */
export async function mirrorClock(
  db: Knex,
  clock: Pick<SlaClockRow, 'sla_key' | 'case_id' | 'warn_at' | 'due_at' | 'light'>,
  at: Date,
): Promise<void> {
  await db('task')
    .where({ sla_key: clock.sla_key, state: 'created' })
    .whereNot('bpmn_process_id', 'sla-clock')
    .update({ due_at: clock.due_at, warn_at: clock.warn_at, light: clock.light });
  if (clock.case_id) await refreshCaseSla(db, clock.case_id, at);
}

const LIGHT_RANK: Record<string, number> = { green: 0, yellow: 1, red: 2 };

/**
 * The case's SLA is its most urgent running clock: the earliest due date and the worst light. A case
 * without running clocks keeps its last figures (closed cases show how they ended).
 */
export async function refreshCaseSla(db: Knex, caseId: string, at: Date): Promise<void> {
  const clocks = (await db('sla_clock').where({ case_id: caseId }).whereIn('state', ['running', 'suspended'])).map(
    normalize,
  );
  if (clocks.length === 0) return;
  const due = clocks.reduce((a, b) => (a.due_at <= b.due_at ? a : b));
  const light = clocks.reduce(
    (worst, c) => (LIGHT_RANK[c.light] > LIGHT_RANK[worst] ? c.light : worst),
    'green' as string,
  );
  await db('case').where({ id: caseId }).update({ due_at: due.due_at, warn_at: due.warn_at, light, updated_at: at });
}
