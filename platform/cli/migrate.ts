/**
 * `npm run db:migrate`: brings the configured database (DATABASE_URL, or PGlite under DATA_DIR) to
 * the latest schema — the same step `npm start` runs first — and exits.
 */
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../logger';
import { createDb, dbKind } from '../../db/knex';
import { migrateAll } from '../migrate-all';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`onematter: ${err.message}\n`);
    process.exit(1);
  }
  const log = createLogger(config.logLevel, 'db:migrate');
  const db = createDb({ databaseUrl: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'pg') });
  try {
    // Engine tables only where the embedded engine runs, exactly as `npm start` decides.
    const applied = await migrateAll(db, { engine: !config.zeebeGrpcAddress });
    log.info(
      { db: dbKind(db), applied },
      applied.engine.length + applied.app.length ? 'migrated' : 'already up to date',
    );
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`db:migrate failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
