/**
 * Historical SAMPLE data for demo mode, so the dashboard shows rates, rankings, time series, the
 * reform effect and fire-lane figures from the first minute. Clearly labelled: every case has channel
 * `demo-history`, a description starting 【示例数据】, `sample: true` in its timeline data, and
 * fire-lane rows `sample = true`; tasks and clocks carry process instance key `demo-history`. Nothing
 * here ran through the engine — the live traffic (traffic.ts) does. Written once per database
 * (app_setting `demo.historySeeded`), deterministic (seeded random numbers), spread over 90 days.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { renderTemplate } from '../../domain/notify/templates';
import { computeSlaDueAt, defaultCalendar, shanghaiDate } from '../../domain/sla/working-time';
import { DEMO_LANES, DEMO_VEHICLES } from './demo-data';
import { appendCaseEvents, type CaseEventInput } from '../../domain/cases/timeline';

export const HISTORY_CHANNEL = 'demo-history';
export const HISTORY_FLAG = 'demo.historySeeded';
const PI = 'demo-history';
const DAY = 86_400_000;
const MIN = 60_000;

export interface HistorySummary {
  cases: number;
  fireLaneCases: number;
  since: string;
}

/** mulberry32: small, fast, seeded — the same history on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Situation {
  code: string;
  matter_code: string;
  category_code: string;
  name_zh: string;
  lead_department: string;
  collaborators: string[];
  scenario: string | null;
  sla_working_hours: number;
  response_hours: number;
}
interface Step {
  element: string;
  process: string;
  name: string;
  department: string;
  hours: number;
}

/** The user-task steps a closed case of each scenario went through (element ids as in processes/). */
function stepsOf(s: Situation, collaborators: string[]): Step[] {
  const step = (element: string, process: string, name: string, department: string, hours: number) => ({
    element,
    process,
    name,
    department,
    hours,
  });
  const lead = s.lead_department;
  const sla = s.sla_working_hours;
  switch (s.scenario) {
    case 'housing-quality':
      return [
        step('assess', 'housing-quality', '牵头部门研判（选定协办部门）', lead, 8),
        ...collaborators.map((d) => step('jointHandle', 'housing-quality', '协办部门联合处置', d, sla)),
        step('consolidate', 'housing-quality', '牵头部门汇总处置结果', lead, 8),
      ];
    case 'new-product-rd':
      return [
        step('rdAccept', 'new-product-rd', '经信局受理研发服务申请', lead, 8),
        ...collaborators.map((d) => step('rdPart', 'new-product-rd', '部门并联办理', d, sla)),
        step('rdConsolidate', 'new-product-rd', '经信局汇总一次性答复', lead, 8),
      ];
    case 'pollution-source':
      return [
        step('inspect', 'pollution-source', '生态环境分局现场核查', lead, sla),
        step('reinspect', 'pollution-source', '整改复查', lead, 16),
      ];
    case 'hazmat-transport':
      return [
        step('hazAssess', 'hazmat-transport', '应急管理局研判（确定联动部门）', lead, 4),
        ...collaborators.map((d) => step('hazLinked', 'hazmat-transport', '联动部门处置', d, sla)),
        step('hazConclude', 'hazmat-transport', '应急管理局汇总', lead, 8),
      ];
    default:
      return [step('leadHandle', 'case-handling', '牵头部门办理', lead, sla)];
  }
}

async function insertChunks(trx: Knex.Transaction, table: string, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await trx(table).insert(rows.slice(i, i + 200));
}

export async function seedDemoHistory(
  db: Knex,
  options: { now?: Date; cases?: number; fireLaneCases?: number; days?: number } = {},
): Promise<HistorySummary | 'already seeded'> {
  if (await db('app_setting').where({ key: HISTORY_FLAG }).first('key')) return 'already seeded';
  const now = options.now ?? new Date();
  const days = options.days ?? 90;
  const nCases = options.cases ?? 360;
  const nFire = options.fireLaneCases ?? 220;
  const rnd = random(20261127);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const cal = defaultCalendar();
  const json = (v: unknown) => JSON.stringify(v);

  const situations: Situation[] = (
    await db('catalog_situation as s')
      .join('catalog_matter as m', 'm.code', 's.matter_code')
      .where('s.active', true)
      .select(
        's.code',
        's.matter_code',
        'm.category_code',
        's.name_zh',
        's.lead_department',
        's.collaborators',
        's.scenario',
        's.sla_working_hours',
        's.response_hours',
      )
  ).map((s: Situation & { collaborators: unknown }) => ({
    ...s,
    collaborators: typeof s.collaborators === 'string' ? JSON.parse(s.collaborators) : (s.collaborators ?? []),
  }));
  const byScenario = (sc: string | null) => situations.filter((s) => s.scenario === sc);
  const pools = [
    { weight: 0.45, list: byScenario(null) },
    { weight: 0.2, list: byScenario('housing-quality') },
    { weight: 0.15, list: byScenario('pollution-source') },
    { weight: 0.12, list: byScenario('new-product-rd') },
    { weight: 0.08, list: byScenario('hazmat-transport') },
  ].filter((p) => p.list.length);

  const cases: object[] = [];
  const events: Array<CaseEventInput & { caseId: string }> = [];
  const tasks: object[] = [];
  const clocks: object[] = [];
  const notifications: object[] = [];
  const offences: object[] = [];
  const flags: object[] = [];
  let seq = 0;
  const caseNo = (at: Date) => `JB${shanghaiDate(at).replace(/-/g, '')}-S${String(++seq).padStart(5, '0')}`;
  const ev = (caseId: string, at: Date, type: string, actor: string, department: string | null, data: object = {}) =>
    events.push({ caseId, at, type, actor, department, data: { ...data, sample: true } });
  /** A working morning or afternoon `d` days ago (Shanghai). */
  const officeTime = (d: number) =>
    new Date(
      Date.parse(`${shanghaiDate(now.getTime() - d * DAY)}T09:00:00+08:00`) + Math.floor(rnd() * 7.5 * 60) * MIN,
    );

  // One-window cases of every scenario, closed, most rated; about one step in eight breached its SLA.
  for (let i = 0; i < nCases && pools.length; i++) {
    let r = rnd() * pools.reduce((a, p) => a + p.weight, 0);
    const pool = pools.find((p) => (r -= p.weight) < 0) ?? pools[0];
    const s = pick(pool.list);
    const id = crypto.randomUUID();
    const created = officeTime(1 + Math.floor(rnd() * (days - 1)));
    const collaborators = s.collaborators.filter((d) => d !== s.lead_department).slice(0, 3);
    const accepted = new Date(created.getTime() + 2 * MIN);
    const responseHours = rnd() * s.response_hours * 1.3;
    const respondedAt = cal.addWorkingHours(accepted, responseHours);
    ev(id, created, 'reported', 'reporter', null, { channel: HISTORY_CHANNEL });
    ev(id, accepted, 'accepted', 'system', 'mediation-center');
    ev(id, new Date(accepted.getTime() + MIN), 'dispatched', 'system', s.lead_department, {
      situationCode: s.code,
      auto: true,
    });
    if (collaborators.length && s.scenario)
      ev(id, new Date(accepted.getTime() + 2 * MIN), 'collaborators.assigned', 'system', s.lead_department, {
        collaborators,
      });
    let t = new Date(accepted.getTime() + MIN);
    let lastDue = t;
    let light = 'green';
    stepsOf(s, collaborators).forEach((st, k) => {
      const breach = rnd() < 0.12;
      const used = st.hours * (breach ? 1.05 + rnd() * 0.6 : 0.1 + rnd() * 0.75);
      const end = cal.addWorkingHours(t, used);
      const sla = computeSlaDueAt({ start: t, workingHours: st.hours }, cal);
      const due = new Date(sla.dueAt);
      const warn = new Date(sla.warnAt);
      const stepLight = breach ? 'red' : end > warn ? 'yellow' : 'green';
      if (stepLight === 'red' || (stepLight === 'yellow' && light === 'green')) light = stepLight;
      const slaKey = `sla:${PI}:${i}:${k}`;
      clocks.push({
        sla_key: slaKey,
        case_id: id,
        process_instance_key: PI,
        bpmn_process_id: st.process,
        step: st.element,
        department: st.department,
        working_hours: st.hours,
        started_at: t,
        warn_at: warn,
        due_at: due,
        state: 'stopped',
        light: stepLight,
        yellow_at: end > warn ? warn : null,
        red_at: breach ? due : null,
        stopped_at: end,
        created_at: t,
        updated_at: end,
      });
      const taskId = crypto.randomUUID();
      tasks.push({
        id: taskId,
        job_key: `${PI}-${i}-${k}`,
        process_instance_key: PI,
        element_instance_key: `${PI}-${i}-${k}`,
        element_id: st.element,
        bpmn_process_id: st.process,
        case_id: id,
        name: st.name,
        candidate_groups: json([st.department]),
        department: st.department,
        assignee: `clerk.${st.department}`,
        state: 'completed',
        variables: json({ sample: true }),
        result: json({ sample: true }),
        light: stepLight,
        due_at: due,
        created_at: t,
        claimed_at: t,
        completed_at: end,
        completed_by: `clerk.${st.department}`,
        sla_key: slaKey,
        warn_at: warn,
      });
      ev(id, t, 'task.created', 'system', st.department, { taskId, elementId: st.element, name: st.name });
      if (breach) ev(id, due, 'sla.red-card', 'system', st.department, { slaKey, step: st.element });
      ev(id, end, 'task.completed', `clerk.${st.department}`, st.department, {
        taskId,
        elementId: st.element,
        name: st.name,
      });
      t = end;
      lastDue = due;
    });
    const replied = new Date(t.getTime() + 10 * MIN);
    const closed = new Date(replied.getTime() + MIN);
    ev(id, replied, 'replied', `clerk.${s.lead_department}`, s.lead_department);
    ev(id, closed, 'closed', 'system', s.lead_department);
    const rated = rnd() < 0.8 && closed.getTime() + DAY < now.getTime();
    const satisfied = rnd() < 0.88;
    const ratedAt = new Date(closed.getTime() + Math.floor(rnd() * DAY));
    if (rated) ev(id, ratedAt, 'rated', 'reporter', null, { satisfied });
    cases.push({
      id,
      case_no: caseNo(created),
      status: 'closed',
      channel: HISTORY_CHANNEL,
      description: `【示例数据】${s.name_zh}（历史样例工单，非真实诉求）`,
      reporter_name: '示例市民',
      category_code: s.category_code,
      matter_code: s.matter_code,
      situation_code: s.code,
      scenario: s.scenario,
      lead_department: s.lead_department,
      collaborators: json(collaborators),
      confidence: 0.9,
      accepted_at: accepted,
      due_at: lastDue,
      light,
      rating_satisfied: rated ? satisfied : null,
      rating_comment: rated ? (satisfied ? '处理及时，满意' : '处理太慢') : null,
      rated_at: rated ? ratedAt : null,
      reply: '【示例数据】已按规定办理并答复。',
      replied_at: replied,
      created_at: created,
      updated_at: closed,
      closed_at: closed,
      responded_at: respondedAt,
      response_met: responseHours <= s.response_hours,
      external_id: `${PI}-${i}`,
    });
  }

  // Fire-lane cases: three repeat offenders (浙B10001 five times, 浙B10003 seven times, 浙B10002
  // twice in 90 days) so live detections cross the penalty and credit thresholds; some unreadable plates.
  const plates: string[] = [...Array(5).fill('浙B10001'), ...Array(7).fill('浙B10003'), ...Array(2).fill('浙B10002')];
  while (plates.length < nFire) plates.push(rnd() < 0.07 ? '未识别' : DEMO_VEHICLES[3 + Math.floor(rnd() * 17)].plate);
  const fire = plates
    .slice(0, nFire)
    .map((plate) => ({ plate, detected: new Date(now.getTime() - (1 + rnd() * (days - 2)) * DAY) }));
  fire.sort((a, b) => a.detected.getTime() - b.detected.getTime());
  const owners = new Map(DEMO_VEHICLES.map((v) => [v.plate, v]));
  const seen = new Map<string, Date[]>();
  for (const [i, f] of fire.entries()) {
    const id = crypto.randomUUID();
    const lane = pick(DEMO_LANES);
    const owner = owners.get(f.plate);
    const prior = (seen.get(f.plate) ?? []).filter((d) => f.detected.getTime() - d.getTime() < days * DAY);
    seen.set(f.plate, [...prior, f.detected]);
    const offenceNo = owner ? prior.length + 1 : null;
    const moved = owner ? rnd() < 0.72 : false;
    const at = (m: number) => new Date(f.detected.getTime() + m * MIN);
    const onSiteDept = !owner ? 'property' : (lane.onSiteDepartment ?? 'fire-rescue');
    ev(id, f.detected, 'reported', 'device', null, { channel: HISTORY_CHANNEL });
    ev(id, f.detected, 'detected', `cam-${lane.id}`, null, {
      laneId: lane.id,
      plate: f.plate,
      detectedAt: f.detected.toISOString(),
    });
    ev(id, f.detected, 'accepted', 'system', 'fire-rescue', { process: 'fire-lane', auto: true });
    const sms = (key: string, template: string, params: Record<string, string>, m: number) => {
      if (!owner) return;
      const { text, params: clean } = renderTemplate(template, params);
      notifications.push({
        idempotency_key: `${id}:${key}`,
        case_id: id,
        channel: 'sms',
        to_phone: owner.ownerPhone,
        template,
        params: json(clean),
        text,
        status: 'sent',
        attempts: 1,
        provider: PI,
        provider_message_id: `${PI}-${i}-${key}`,
        local_day: shanghaiDate(at(m)),
        queued_at: at(m),
        sent_at: at(m),
        created_at: at(m),
        updated_at: at(m),
      });
    };
    const laneName = lane.name.slice(0, 35);
    sms('notice', 'fire-lane.notice', { plate: f.plate, lane: laneName, minutes: '30' }, 0);
    if (offenceNo && offenceNo >= 3)
      sms(
        'penalty',
        offenceNo >= 6 ? 'fire-lane.credit' : 'fire-lane.penalty',
        { plate: f.plate, days: String(days), count: String(offenceNo), lane: laneName },
        0,
      );
    let closedAt: Date;
    if (moved) {
      const m = 3 + Math.floor(rnd() * 22);
      ev(id, at(m), 'lane-cleared', `cam-${lane.id}`, null, { detectedAt: at(m).toISOString() });
      ev(id, at(m), 'fire-lane.cleared', 'system', 'fire-rescue');
      closedAt = at(m);
    } else {
      if (owner) sms('warning', 'fire-lane.warning', { plate: f.plate, lane: laneName, minutes: '30' }, 30);
      const element = owner ? 'onSite' : 'identifyOwner';
      const taskId = crypto.randomUUID();
      const done = at(40 + Math.floor(rnd() * 50));
      tasks.push({
        id: taskId,
        job_key: `${PI}-fl-${i}`,
        process_instance_key: PI,
        element_instance_key: `${PI}-fl-${i}`,
        element_id: element,
        bpmn_process_id: 'fire-lane',
        case_id: id,
        name: owner ? '现场处置（消防/物业）' : '车牌无法识别或未登记：物业核查处置',
        candidate_groups: json([onSiteDept]),
        department: onSiteDept,
        assignee: `clerk.${onSiteDept}`,
        state: 'completed',
        variables: json({ sample: true }),
        result: json({ sample: true }),
        light: 'green',
        created_at: at(30),
        claimed_at: at(31),
        completed_at: done,
        completed_by: `clerk.${onSiteDept}`,
      });
      ev(id, at(30), 'task.created', 'system', onSiteDept, { taskId, elementId: element });
      ev(id, done, 'task.completed', `clerk.${onSiteDept}`, onSiteDept, { taskId, elementId: element });
      ev(id, done, 'fire-lane.handled', 'system', 'fire-rescue');
      closedAt = done;
    }
    cases.push({
      id,
      case_no: caseNo(f.detected),
      status: 'closed',
      channel: HISTORY_CHANNEL,
      scenario: 'fire-lane',
      lead_department: 'fire-rescue',
      description: `【示例数据】消防通道占用：${lane.compound} ${lane.name}，车牌 ${f.plate}（历史样例）`,
      address: `${lane.compound} ${lane.name}`,
      accepted_at: f.detected,
      created_at: f.detected,
      updated_at: closedAt,
      closed_at: closedAt,
      external_id: `${PI}-fl-${i}`,
    });
    const penaltyAt = offenceNo && offenceNo >= 3 ? f.detected : null;
    const creditAt = offenceNo && offenceNo >= 6 ? f.detected : null;
    offences.push({
      case_id: id,
      plate: f.plate,
      lane_id: lane.id,
      compound: lane.compound,
      detected_at: f.detected,
      received_at: f.detected,
      known_plate: !!owner,
      offence_no: offenceNo,
      penalty_notice_at: penaltyAt,
      credit_flagged_at: creditAt,
      sample: true,
    });
    if (creditAt && !flags.some((x) => (x as { plate: string }).plate === f.plate)) {
      flags.push({
        plate: f.plate,
        case_id: id,
        offence_count: offenceNo,
        reason: `【示例数据】${days} 天内第 ${offenceNo} 次占用消防通道`,
        flagged_at: creditAt,
      });
    }
  }

  await db.transaction(async (trx) => {
    await insertChunks(trx, 'case', cases);
    await appendCaseEvents(trx, events);
    await insertChunks(trx, 'sla_clock', clocks);
    await insertChunks(trx, 'task', tasks);
    await insertChunks(trx, 'notification', notifications);
    await insertChunks(trx, 'fire_lane_offence', offences);
    for (const f of flags) {
      await trx.raw(
        `insert into credit_flag (plate, case_id, offence_count, reason, flagged_at) values (?, ?, ?, ?, ?) on conflict (plate) where lifted_at is null do nothing`,
        [(f as any).plate, (f as any).case_id, (f as any).offence_count, (f as any).reason, (f as any).flagged_at],
      );
    }
    await trx('app_setting')
      .insert({ key: HISTORY_FLAG, value: json({ at: now.toISOString(), cases: nCases, fireLaneCases: nFire }) })
      .onConflict('key')
      .ignore();
  });
  return {
    cases: cases.length - fire.length,
    fireLaneCases: fire.length,
    since: new Date(now.getTime() - days * DAY).toISOString(),
  };
}
