/**
 * Job worker for `hazmat.open-round`: the weekly timer started a risk-point inspection round of the
 * hazmat scenario. Opens a case for the round (so its tasks, cards and rectifications have a
 * timeline) and lists the scenario's risk points from the catalog (`scenario_node`), each with the
 * department that inspects it — by the scene it belongs to ({@link INSPECTOR_BY_SCENE}).
 *
 * Output: `caseId`, `caseNo`, `description`, `leadDepartment: "emergency"`, `riskPoints`
 * (`[{code, name, scene, department}]`, the multi-instance collection).
 * Idempotent: the round's case is keyed by the process instance (`external_id`).
 */
import type { Knex } from 'knex';
import { createCase } from '../domain/cases/case-service';
import { shanghaiDate } from '../domain/sla/working-time';
import { withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'hazmat.open-round';
export const SCENARIO = 'hazmat-transport';

/**
 * Who inspects a scene's risk points: production & storage and loading & filling are emergency
 * management's (安全生产), road transport the transport bureau's, parking & receiving the traffic police's.
 * A scene the catalog adds later falls back to emergency management, the scenario's lead.
 */
export const INSPECTOR_BY_SCENE: Record<string, string> = {
  生产储存: 'emergency',
  装卸充装: 'emergency',
  道路运输: 'transport',
  停车接收: 'traffic-police',
};

export interface RiskPoint {
  code: string;
  name: string;
  scene: string;
  department: string;
}

/** Risk points of the hazmat scenario with their scene (risk point → link → scene). */
export async function listHazmatRiskPoints(db: Knex): Promise<RiskPoint[]> {
  const nodes: { code: string; kind: string; parent_code: string | null; name_zh: string; sort: number }[] = await db(
    'scenario_node',
  )
    .where({ scenario: SCENARIO })
    .orderBy(['sort', 'code']);
  const byCode = new Map(nodes.map((n) => [n.code, n]));
  const sceneOf = (code: string): string => {
    let n = byCode.get(code);
    while (n && n.kind !== 'scene' && n.parent_code) n = byCode.get(n.parent_code);
    return n?.kind === 'scene' ? n.name_zh : '';
  };
  return nodes
    .filter((n) => n.kind === 'risk_point')
    .sort((a, b) => a.code.localeCompare(b.code))
    .map((n) => {
      const scene = sceneOf(n.code);
      return { code: n.code, name: n.name_zh, scene, department: INSPECTOR_BY_SCENE[scene] ?? 'emergency' };
    });
}

export function createHazmatOpenRoundHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const externalId = `hazmat-round:${job.processInstanceKey}`;
    const now = deps.now();
    let c = await deps.db('case').where({ external_id: externalId }).first('id', 'case_no', 'description');
    if (!c) {
      const created = await createCase(
        deps.db,
        {
          description: `危化品储运风险点周期巡查（${shanghaiDate(now)}）`,
          channel: 'system',
          scenario: SCENARIO,
          leadDepartment: 'emergency',
          externalId,
        },
        now,
      );
      await deps
        .db('case')
        .where({ id: created.id })
        .update({ status: 'handling', accepted_at: now, process_instance_key: job.processInstanceKey });
      c = await deps.db('case').where({ id: created.id }).first('id', 'case_no', 'description');
    }
    const riskPoints = await listHazmatRiskPoints(deps.db);
    return job.complete({
      caseId: c.id,
      caseNo: c.case_no,
      description: c.description,
      leadDepartment: 'emergency',
      riskPoints,
    });
  });
}
