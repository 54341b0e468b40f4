/** SQL for API keys (table api_key). Keys are stored as sha256 only. */
import type { Knex } from 'knex';
import type { ApiKeyKind } from './roles';

export interface ApiKeyRow {
  id: string;
  kind: ApiKeyKind;
  name: string;
  deviceId: string | null;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

function toKey(r: any): ApiKeyRow {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    deviceId: r.device_id ?? null,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at),
    revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
  };
}

const COLUMNS = ['id', 'kind', 'name', 'device_id', 'created_by', 'created_at', 'revoked_at', 'last_used_at'];

export async function insertApiKey(
  db: Knex,
  k: { id: string; kind: ApiKeyKind; name: string; keyHash: string; deviceId: string | null; createdBy: string },
): Promise<void> {
  await db('api_key').insert({
    id: k.id,
    kind: k.kind,
    name: k.name,
    key_hash: k.keyHash,
    device_id: k.deviceId,
    created_by: k.createdBy,
  });
}

/** Inserts the key, or un-revokes and renames the row that already has this hash (demo keys). */
export async function upsertApiKeyByHash(
  db: Knex,
  k: { id: string; kind: ApiKeyKind; name: string; keyHash: string; deviceId: string | null; createdBy: string },
): Promise<void> {
  await db('api_key')
    .insert({
      id: k.id,
      kind: k.kind,
      name: k.name,
      key_hash: k.keyHash,
      device_id: k.deviceId,
      created_by: k.createdBy,
    })
    .onConflict('key_hash')
    .merge({ kind: k.kind, name: k.name, device_id: k.deviceId, revoked_at: null });
}

export async function listApiKeys(db: Knex): Promise<ApiKeyRow[]> {
  return (await db('api_key').select(COLUMNS).orderBy('created_at', 'desc').orderBy('id')).map(toKey);
}

export async function findApiKey(db: Knex, id: string): Promise<ApiKeyRow | undefined> {
  const r = await db('api_key').where({ id }).first(COLUMNS);
  return r ? toKey(r) : undefined;
}

export async function findActiveApiKeyByHash(db: Knex, keyHash: string): Promise<ApiKeyRow | undefined> {
  const r = await db('api_key').where({ key_hash: keyHash }).whereNull('revoked_at').first(COLUMNS);
  return r ? toKey(r) : undefined;
}

export async function revokeApiKey(db: Knex, id: string, at: Date): Promise<number> {
  return db('api_key').where({ id }).whereNull('revoked_at').update({ revoked_at: at });
}

export async function touchApiKey(db: Knex, id: string, at: Date): Promise<void> {
  await db('api_key').where({ id }).update({ last_used_at: at });
}
