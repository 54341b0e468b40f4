/**
 * Query module for `process_version`: every BPMN process and form version deployed through the SDK,
 * with its source, so listing versions and showing a diagram work against Zeebe as well (a cluster's
 * deployments cannot be listed over gRPC).
 */
import type { Knex } from 'knex';

export interface ProcessVersionRow {
  kind: 'bpmn' | 'form';
  resource_id: string;
  version: number;
  definition_key: string;
  resource_name: string;
  name: string | null;
  xml: string;
  deployed_by: string;
  deployed_at: Date;
}

/** Records one deployed version; a duplicate deployment (same version) keeps the first row. */
export async function recordProcessVersion(
  db: Knex,
  v: {
    kind: 'bpmn' | 'form';
    resourceId: string;
    version: number;
    definitionKey: string;
    resourceName: string;
    name?: string | null;
    source: string;
    deployedBy?: string;
    at?: Date;
  },
): Promise<boolean> {
  const inserted = await db('process_version')
    .insert({
      kind: v.kind,
      resource_id: v.resourceId,
      version: v.version,
      definition_key: v.definitionKey,
      resource_name: v.resourceName,
      name: v.name ?? null,
      xml: v.source,
      deployed_by: v.deployedBy ?? 'system',
      deployed_at: v.at ?? new Date(),
    })
    .onConflict(['kind', 'resource_id', 'version'])
    .ignore()
    .returning('version');
  return inserted.length > 0;
}

/** Latest version and count per deployed resource of a kind. */
export async function listLatest(
  db: Knex,
  kind: 'bpmn' | 'form',
): Promise<(ProcessVersionRow & { versions: number })[]> {
  const rows = await db('process_version as p')
    .where('p.kind', kind)
    .whereRaw(
      'p.version = (select max(q.version) from process_version q where q.kind = p.kind and q.resource_id = p.resource_id)',
    )
    .select(
      'p.kind',
      'p.resource_id',
      'p.version',
      'p.definition_key',
      'p.resource_name',
      'p.name',
      'p.deployed_by',
      'p.deployed_at',
    )
    .select(
      db.raw(
        '(select count(*) from process_version q where q.kind = p.kind and q.resource_id = p.resource_id) as versions',
      ),
    )
    .orderBy('p.resource_id');
  return rows.map((r: any) => ({ ...r, versions: Number(r.versions) }));
}

export async function listVersions(db: Knex, kind: 'bpmn' | 'form', resourceId: string): Promise<ProcessVersionRow[]> {
  return db('process_version')
    .where({ kind, resource_id: resourceId })
    .select('kind', 'resource_id', 'version', 'definition_key', 'resource_name', 'name', 'deployed_by', 'deployed_at')
    .orderBy('version', 'desc');
}

export async function findVersion(
  db: Knex,
  kind: 'bpmn' | 'form',
  resourceId: string,
  version: number | 'latest',
): Promise<ProcessVersionRow | undefined> {
  const q = db('process_version').where({ kind, resource_id: resourceId });
  if (version === 'latest') q.orderBy('version', 'desc');
  else q.where({ version });
  return q.first();
}
