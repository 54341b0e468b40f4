import crypto from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { createDb } from '../../db/knex';

/**
 * A database of its own for one test file: an in-memory PGlite by default, or — when
 * `DATABASE_URL` is set (CI's PostgreSQL pass) — a fresh schema on that server, dropped on destroy.
 * Files therefore run in parallel without seeing each other's rows.
 */
export interface TestDb {
  db: Knex;
  kind: 'pglite' | 'postgres';
  /** The PostgreSQL schema (postgres only). */
  schema?: string;
  destroy(): Promise<void>;
}

export async function createTestDb(): Promise<TestDb> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = createDb({});
    return {
      db,
      kind: 'pglite',
      // knex-pglite opens PGlite eagerly; closing before that finished would leave it loading after
      // the test file's environment is gone (and break the next file in the same jest worker).
      destroy: async () => {
        await db.raw('select 1').catch(() => undefined);
        await db.destroy();
      },
    };
  }
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  await admin.raw(`create schema "${schema}"`);
  await admin.destroy();
  const db = createDb({ databaseUrl: url, schema });
  return {
    db,
    kind: 'postgres',
    schema,
    async destroy() {
      await db.destroy();
      const cleanup = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
      await cleanup.raw(`drop schema if exists "${schema}" cascade`);
      await cleanup.destroy();
    },
  };
}

/**
 * A PostgreSQL database of its own (for tests that start the whole platform, which migrates the
 * `public` schema): created on the server named by `DATABASE_URL`, dropped by `drop()`. Returns
 * undefined when `DATABASE_URL` is unset (PGlite runs).
 */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const url = process.env.DATABASE_URL;
  if (!url) return undefined;
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  await admin.raw(`create database "${name}"`);
  await admin.destroy();
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  return {
    url: dbUrl.toString(),
    async drop() {
      const cleanup = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
      await cleanup.raw(`drop database if exists "${name}" with (force)`);
      await cleanup.destroy();
    },
  };
}
