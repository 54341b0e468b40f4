/**
 * Live demo traffic (DEMO=1 only) through the real engine and the real HTTP API:
 *
 * - citizens' reports across all scenarios, filed through the case service and the one window
 *   (`case-intake` classifies and dispatches them);
 * - fire-lane cameras in several compounds posting `POST /api/device-events` with the demo camera key:
 *   new cars, repeat sightings (merged), lanes cleared after a while — and some cars that stay, so the
 *   warning SMS and the on-site task follow after the grace period; the repeat offenders of the
 *   sample history cross the penalty (3) and credit-list (6) thresholds;
 * - virtual clerks (`clerk.<department>`) claiming and completing open tasks after random delays with
 *   form-valid answers; about one task in eight is left alone, so its SLA turns yellow, then red.
 *
 * Bounded: generation stops after `DEMO_MINUTES` (default 20) and at a rate of a few events a
 * minute, so the database stays small; the clerks keep working what is open until the platform stops.
 */
import crypto from 'node:crypto';
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import { DEMO_DEVICE_KEY, DEMO_PASSWORD } from '../../server/auth/bootstrap';
import { createCase, startCaseIntake } from '../../domain/cases/case-service';
import { claimTask, completeTask } from '../../domain/tasks/task-service';
import { DEMO_LANES, DEMO_REPORTS, DEMO_VEHICLES } from './demo-data';
import { fillForm } from './form-filler';

export interface DemoTrafficOptions {
  db: Knex;
  zbc: Zeebe.ZeebeGrpcClient;
  /** The platform's base URL (camera events go through the HTTP API). */
  url: string;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  minutes?: number;
  reportEveryMs?: number;
  cameraEveryMs?: number;
  clerkEveryMs?: number;
  print?: (text: string) => void;
}

export interface DemoStats {
  reports: number;
  cameraEvents: number;
  fireLaneCases: number;
  merged: number;
  cleared: number;
  tasksCompleted: number;
  tasksLeftOpen: number;
  errors: number;
}

interface Parked {
  laneId: string;
  plate: string;
  since: number;
  clearAt: number | null;
}

const CHANNELS = ['web', 'hotline', 'open311', 'api'] as const;

/** Deterministic per task: how long its clerk waits, or that nobody picks it up (SLA breach). */
function clerkPlan(taskId: string): { delayMs: number; leave: boolean } {
  const h = crypto.createHash('sha1').update(taskId).digest();
  return { delayMs: 8_000 + (h.readUInt16BE(0) % 80) * 1000, leave: h[2] % 8 === 0 };
}

export function banner(url: string, minutes: number): string {
  const rule = '='.repeat(76);
  return [
    rule,
    `OneMatter DEMO is running at ${url}`,
    `  log in at ${url}/login — password for every demo user: ${DEMO_PASSWORD}`,
    '  users: admin, designer, supervisor, and one clerk per department: clerk.<code>',
    '         e.g. clerk.fire-rescue, clerk.housing, clerk.mediation-center, clerk.property',
    `  dashboard ${url}/dashboard · tasks ${url}/tasks · report & track ${url}/`,
    `  camera key ${DEMO_DEVICE_KEY} · Open311 key demo-open311-key · plates 浙B10001 … 浙B10020`,
    `  live traffic for ${minutes} min (DEMO_MINUTES); history of the last 90 days is labelled 【示例数据】 / channel demo-history`,
    rule,
    '',
  ].join('\n');
}

export function startDemoTraffic(o: DemoTrafficOptions): { stop(): Promise<void>; stats: DemoStats } {
  const minutes = o.minutes ?? Number(process.env.DEMO_MINUTES ?? 20);
  const stats: DemoStats = {
    reports: 0,
    cameraEvents: 0,
    fireLaneCases: 0,
    merged: 0,
    cleared: 0,
    tasksCompleted: 0,
    tasksLeftOpen: 0,
    errors: 0,
  };
  const started = Date.now();
  const until = started + minutes * 60_000;
  const parked: Parked[] = [];
  const left = new Set<string>();
  const timers: NodeJS.Timeout[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;
  let seq = 0;
  (o.print ?? ((t) => process.stdout.write(t)))(banner(o.url, minutes));

  const track = (p: Promise<unknown>) => {
    const q = p
      .catch((err: Error) => {
        stats.errors += 1;
        o.log.warn({ err: { message: err.message } }, 'demo traffic step failed');
      })
      .finally(() => inFlight.delete(q));
    inFlight.add(q);
  };
  const every = (ms: number, jitter: boolean, fn: () => Promise<unknown>, generating = true) => {
    const tick = () => {
      if (stopped) return;
      if (!generating || Date.now() < until) track(fn());
      const t = setTimeout(tick, jitter ? ms * (0.5 + Math.random()) : ms);
      t.unref();
      timers.push(t);
    };
    const first = setTimeout(tick, jitter ? Math.random() * ms : ms);
    first.unref();
    timers.push(first);
  };

  const report = async () => {
    const c = await createCase(o.db, {
      description: DEMO_REPORTS[Math.floor(Math.random() * DEMO_REPORTS.length)],
      channel: CHANNELS[Math.floor(Math.random() * CHANNELS.length)],
      reporter: { name: '演示市民', phone: `1370000${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}` },
    });
    await startCaseIntake(o.db, o.zbc, c.id);
    stats.reports += 1;
  };

  const post = async (body: Record<string, unknown>) => {
    const res = await fetch(`${o.url}/api/device-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${DEMO_DEVICE_KEY}` },
      body: JSON.stringify({ ...body, detectedAt: new Date().toISOString(), eventId: `demo-${started}-${++seq}` }),
    });
    stats.cameraEvents += 1;
    if (res.status !== 202) throw new Error(`device event answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { caseId: string | null; merged: boolean };
  };

  const camera = async () => {
    const now = Date.now();
    const due = parked.find((p) => p.clearAt !== null && p.clearAt <= now);
    if (due) {
      parked.splice(parked.indexOf(due), 1);
      await post({ deviceId: `cam-${due.laneId}`, type: 'fire-lane.cleared', laneId: due.laneId, plate: due.plate });
      stats.cleared += 1;
      return;
    }
    if (parked.length && Math.random() < 0.25) {
      const p = parked[Math.floor(Math.random() * parked.length)];
      const r = await post({
        deviceId: `cam-${p.laneId}`,
        type: 'fire-lane.occupied',
        laneId: p.laneId,
        plate: p.plate,
        imageUrl: `https://camera.example/${p.laneId}/${seq}.jpg`,
      });
      if (r.merged) stats.merged += 1;
      return;
    }
    const lane = DEMO_LANES[Math.floor(Math.random() * DEMO_LANES.length)];
    const r = Math.random();
    // The sample history's repeat offenders come back often; a few plates cannot be read.
    const plate =
      r < 0.06
        ? '未识别'
        : r < 0.2
          ? ['浙B10001', '浙B10002', '浙B10003'][Math.floor(Math.random() * 3)]
          : DEMO_VEHICLES[Math.floor(Math.random() * DEMO_VEHICLES.length)].plate;
    if (parked.some((p) => p.plate === plate && p.laneId === lane.id)) return;
    const answer = await post({
      deviceId: `cam-${lane.id}`,
      type: 'fire-lane.occupied',
      laneId: lane.id,
      plate,
      imageUrl: `https://camera.example/${lane.id}/${seq}.jpg`,
    });
    if (answer.caseId && !answer.merged) stats.fireLaneCases += 1;
    // Seven owners in ten move within a few minutes of the notice; the rest wait for the warning.
    parked.push({
      laneId: lane.id,
      plate,
      since: now,
      clearAt: Math.random() < 0.7 ? now + 20_000 + Math.random() * 150_000 : null,
    });
  };

  const clerks = async () => {
    const open = await o
      .db('task')
      .where({ state: 'created' })
      .orderBy('created_at')
      .limit(100)
      .select('id', 'department', 'assignee', 'form_schema', 'variables', 'created_at', 'element_id');
    for (const t of open) {
      const plan = clerkPlan(t.id);
      if (plan.leave) {
        if (!left.has(t.id)) {
          left.add(t.id);
          stats.tasksLeftOpen += 1;
        }
        continue;
      }
      if (Date.now() - new Date(t.created_at).getTime() < plan.delayMs) continue;
      const user = t.assignee ?? `clerk.${t.department}`;
      const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
      const { variables, errors } = fillForm(parse(t.form_schema), parse(t.variables) ?? {});
      if (errors.length) {
        o.log.warn({ taskId: t.id, element: t.element_id, errors }, 'demo clerk cannot fill this form; left open');
        left.add(t.id);
        continue;
      }
      if (!t.assignee) await claimTask(o.db, t.id, user);
      const r = await completeTask(o.db, o.zbc, t.id, user, variables);
      if (r.ok) stats.tasksCompleted += 1;
    }
  };

  const progress = async () => {
    const [{ n: open }] = await o.db('task').where({ state: 'created' }).count<{ n: string }[]>({ n: '*' });
    const [{ n: sent }] = await o
      .db('notification')
      .where({ status: 'sent' })
      .whereNot('provider', 'demo-history')
      .count<{ n: string }[]>({ n: '*' });
    const remaining = Math.max(0, Math.round((until - Date.now()) / 1000));
    o.log.info(
      { ...stats, openTasks: Number(open), smsSent: Number(sent) },
      `demo: ${stats.reports} reports, ${stats.cameraEvents} camera events (${stats.fireLaneCases} fire-lane cases, ${stats.merged} merged, ${stats.cleared} cleared), ${sent} SMS sent, ${stats.tasksCompleted} tasks done, ${open} open — ${remaining > 0 ? `${remaining}s of traffic left` : 'traffic finished; clerks keep working'} · log in at ${o.url}/login`,
    );
  };

  every(o.reportEveryMs ?? 6000, true, report);
  every(o.cameraEveryMs ?? 4000, true, camera);
  every(o.clerkEveryMs ?? 3000, false, clerks, false);
  every(10_000, false, progress, false);

  return {
    stats,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all([...inFlight]);
    },
  };
}
