/**
 * Reform effect (改革成效): per scenario, the configured pre-reform baseline
 * (processes/reform-baselines.json, sample data) against figures measured from the case timeline:
 *
 * - steps: distinct handling steps of a case — user tasks completed (`task.completed`, by element);
 * - hand-offs: changes of the department handling the case along its timeline (dispatch, returns,
 *   collaborators, escalation);
 * - visits: the reporter's own interactions (events with actor `reporter`: reporting, rating);
 * - days: intake (`reported`) → close (`closed`/`merged`/…) in working days on the Chinese calendar.
 *
 * Measured figures are averages over the closed cases of a scenario; reductions are
 * `(baseline − measured) / baseline`, computed here and never stored.
 */
import type { Knex } from 'knex';
import baselines from '../../processes/reform-baselines.json';
import { defaultCalendar } from '../../workers/sla/working-time';

export interface Figures {
  steps: number;
  handoffs: number;
  visits: number;
  days: number;
}

export interface ReformEffect {
  scenario: string;
  label: string;
  cases: number;
  baseline: Figures;
  measured: Figures | null;
  /** Percentage reductions (positive = fewer/faster than before), one decimal. */
  reduction: Figures | null;
}

const CLOSING = new Set(['closed', 'merged', 'follow-up.expired', 'fire-lane.cleared', 'fire-lane.handled']);
/** Working hours per working day on the default office hours (7.5). */
const HOURS_PER_DAY = 7.5;

interface EventRow { case_id: string; type: string; actor: string; department: string | null; data: unknown; at: Date }

/** The figures of one case from its timeline (events in order). */
export function measureCase(events: EventRow[]): Figures | null {
  const reported = events.find((e) => e.type === 'reported');
  const closed = [...events].reverse().find((e) => CLOSING.has(e.type));
  if (!reported || !closed) return null;
  const steps = new Set(events.filter((e) => e.type === 'task.completed').map((e) => (typeof e.data === 'string' ? JSON.parse(e.data) : (e.data as Record<string, unknown>)).elementId)).size;
  let handoffs = 0;
  let current: string | null = null;
  for (const e of events) {
    if (!['dispatched', 'returned', 'collaborators.assigned', 'sla.escalated', 'task.created'].includes(e.type) || !e.department) continue;
    if (current !== null && e.department !== current) handoffs += 1;
    current = e.department;
  }
  const visits = events.filter((e) => e.actor === 'reporter').length;
  const days = defaultCalendar().workingHoursBetween(new Date(reported.at), new Date(closed.at)) / HOURS_PER_DAY;
  return { steps, handoffs, visits, days };
}

const pct = (base: number, measured: number) => (base > 0 ? Math.round(((base - measured) / base) * 1000) / 10 : 0);
const avg = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100;

/** The reform effect of every configured scenario, measured over closed cases (optionally since a date). */
export async function computeReformEffect(db: Knex, options: { since?: Date } = {}): Promise<ReformEffect[]> {
  const out: ReformEffect[] = [];
  for (const [scenario, b] of Object.entries(baselines.scenarios)) {
    const q = db('case').whereIn('status', ['closed']).select('id');
    if (scenario === 'case-intake') q.where((w) => w.whereNull('scenario').orWhere('scenario', 'case-intake'));
    else q.where({ scenario });
    if (options.since) q.where('created_at', '>=', options.since);
    const ids = (await q).map((r: { id: string }) => r.id);
    const events: EventRow[] = ids.length ? await db('case_event').whereIn('case_id', ids).orderBy(['case_id', 'id']) : [];
    const byCase = new Map<string, EventRow[]>();
    for (const e of events) byCase.set(e.case_id, [...(byCase.get(e.case_id) ?? []), e]);
    const figures = [...byCase.values()].map(measureCase).filter((f): f is Figures => f !== null);
    const baseline: Figures = { steps: b.steps, handoffs: b.handoffs, visits: b.visits, days: b.days };
    const measured = figures.length
      ? { steps: avg(figures.map((f) => f.steps)), handoffs: avg(figures.map((f) => f.handoffs)), visits: avg(figures.map((f) => f.visits)), days: avg(figures.map((f) => f.days)) }
      : null;
    out.push({
      scenario, label: b.label, cases: figures.length, baseline, measured,
      reduction: measured ? { steps: pct(b.steps, measured.steps), handoffs: pct(b.handoffs, measured.handoffs), visits: pct(b.visits, measured.visits), days: pct(b.days, measured.days) } : null,
    });
  }
  return out;
}
