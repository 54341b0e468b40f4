/**
 * `npm run pii:rotate`: after a new PII_MASTER_KEY is configured with the previous one(s) in
 * PII_MASTER_KEYS_OLD, re-wraps every sealed personal value's data key under the new key, recomputes
 * the phone search hashes, and seals any plaintext left from before encryption. Runs while the
 * platform serves: the platform reads both keys meanwhile, and a phone look-up matches the hash under
 * either. Idempotent, one process at a time (advisory lock); prints what it changed and what is left.
 * When it reports 0 left, the old keys can be removed from PII_MASTER_KEYS_OLD.
 */
import path from 'node:path';
import { createDb } from '../../db/knex';
import { migrateApp } from '../../db/migrate-app';
import { countUnsealed, sealAll } from '../../domain/privacy/personal-data';
import { loadConfig } from '../config';
import { useConfiguredKeyring } from './pii-keyring';

async function main(): Promise<number> {
  const config = loadConfig();
  const ring = useConfiguredKeyring(config);
  const db = createDb({ databaseUrl: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'pg') });
  try {
    await migrateApp(db);
    const changed = await sealAll(db, ring);
    const left = await countUnsealed(db, ring);
    process.stdout.write(
      `master key ${ring.currentId}: re-wrapped or sealed ${changed.cases} case, ${changed.vehicles} vehicle and ${changed.notifications} SMS rows; ${left} values left under another key${left ? ' (another process holds the lock, or run again)' : ' — the old keys may now be removed'}\n`,
    );
    return left ? 1 : 0;
  } finally {
    await db.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`pii:rotate failed: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
