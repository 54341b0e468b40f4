import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';

// PostgreSQL returns int8 and numeric as strings by default; keys are int8 and must stay strings
// (they exceed 2^53 on some partitions), so we keep that default and convert counts explicitly.
void pg;

export interface DbOptions {
  /** postgres://… → a PostgreSQL server through `pg`; unset → embedded PGlite. */
  databaseUrl?: string;
  /** PGlite data directory; unset → in-memory (tests). */
  pgliteDir?: string;
  /** PostgreSQL schema to work in (tests give each file its own); default `public`. */
  schema?: string;
  /** Max pool size for a PostgreSQL server (PGlite is always exactly one connection). */
  poolMax?: number;
}

/** What kind of database a knex instance talks to. */
export type DbKind = 'pglite' | 'postgres';

const kinds = new WeakMap<Knex, DbKind>();

export function dbKind(db: Knex): DbKind {
  return kinds.get(db) ?? 'postgres';
}

/**
 * Creates the knex instance for the platform. PGlite is one in-process connection: knex-pglite
 * pins the pool to 1, so never hold a transaction open across a network await (PITFALLS.md).
 */
export function createDb(options: DbOptions = {}): Knex {
  let db: Knex;
  if (options.databaseUrl) {
    const searchPath = options.schema ? [options.schema, 'public'] : undefined;
    db = knexFactory({
      client: 'pg',
      connection: options.databaseUrl,
      searchPath,
      pool: {
        min: 0,
        max: options.poolMax ?? 10,
        // The schema must exist before search_path matters; tests create it in createTestDb.
      },
    });
    kinds.set(db, 'postgres');
  } else {
    if (options.pgliteDir) fs.mkdirSync(path.dirname(options.pgliteDir), { recursive: true });
    db = knexFactory({
      client: ClientPgLite as unknown as typeof knexFactory.Client,
      dialect: 'postgres',
      connection: options.pgliteDir ? { filename: options.pgliteDir } : {},
    });
    kinds.set(db, 'pglite');
  }
  return db;
}

/** Round trip that proves the database answers; used by /healthz. */
export async function pingDb(db: Knex): Promise<void> {
  await db.raw('select 1');
}
