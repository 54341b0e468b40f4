import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { HttpProblem } from '../http/problem';
import type { ApiKeyRow } from './api-key-queries';
import {
  findActiveApiKeyByHash,
  findApiKey,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  touchApiKey,
} from './api-key-queries';
import type { ApiKeyKind, KeyPrincipal } from './roles';
import { randomToken, sha256Hex } from './tokens';

/** last_used_at is a hint for admins, so it is written at most once a minute per key. */
const TOUCH_EVERY_MS = 60_000;

/** Device and Open311 API keys: random 32-byte tokens shown once at creation, stored as sha256. */
export class ApiKeyService {
  private readonly touched = new Map<string, number>();

  constructor(private readonly db: Knex) {}

  async create(
    input: { kind: ApiKeyKind; name: string; deviceId?: string | null },
    createdBy: string,
  ): Promise<{ apiKey: ApiKeyRow; key: string }> {
    const key = `om_${input.kind}_${randomToken()}`;
    const id = crypto.randomUUID();
    await insertApiKey(this.db, {
      id,
      kind: input.kind,
      name: input.name,
      keyHash: sha256Hex(key),
      deviceId: input.deviceId ?? null,
      createdBy,
    });
    return { apiKey: (await findApiKey(this.db, id))!, key };
  }

  list(): Promise<ApiKeyRow[]> {
    return listApiKeys(this.db);
  }

  async revoke(id: string): Promise<ApiKeyRow> {
    const existing = await findApiKey(this.db, id);
    if (!existing) throw HttpProblem.notFound(`No API key with id ${id}.`);
    if (existing.revokedAt)
      throw HttpProblem.conflict(`API key ${id} was already revoked at ${existing.revokedAt.toISOString()}.`);
    await revokeApiKey(this.db, id, new Date());
    return (await findApiKey(this.db, id))!;
  }

  /**
   * The caller behind a presented key, if it is live (and of `kind`, when given). Used by the
   * Bearer authentication and by Open311's `api_key` parameter.
   */
  async verify(presented: string, kind?: ApiKeyKind): Promise<KeyPrincipal | undefined> {
    if (!presented || presented.length > 256) return undefined;
    const row = await findActiveApiKeyByHash(this.db, sha256Hex(presented));
    if (!row || (kind && row.kind !== kind)) return undefined;
    const now = Date.now();
    if (now - (this.touched.get(row.id) ?? 0) >= TOUCH_EVERY_MS) {
      this.touched.set(row.id, now);
      await touchApiKey(this.db, row.id, new Date(now));
    }
    return { kind: row.kind, keyId: row.id, name: row.name, deviceId: row.deviceId };
  }
}
