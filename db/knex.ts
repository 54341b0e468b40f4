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
    const release = options.pgliteDir ? lockDataDir(options.pgliteDir) : undefined;
    db = knexFactory({
      client: ClientPgLite as unknown as typeof knexFactory.Client,
      dialect: 'postgres',
      connection: options.pgliteDir ? { filename: options.pgliteDir } : {},
    });
    kinds.set(db, 'pglite');
    // knex.destroy() ends in client.destroy() (knex's own method is read-only), so hook there:
    // (1) knex-pglite opens PGlite eagerly; destroying before that finished leaves the WebAssembly
    //     start-up running after its owner is gone (under jest it then breaks the next test file),
    //     so wait for the connection first; (2) free the data-directory lock.
    const client = db.client as { destroy: (...a: unknown[]) => Promise<unknown> };
    const destroy = client.destroy.bind(client);
    const opened = db;
    client.destroy = async (...a: unknown[]) => {
      try {
        await opened.raw('select 1').catch(() => undefined);
        return await destroy(...a);
      } finally {
        release?.();
      }
    };
  }
  return db;
}

/** Thrown when another live process uses the PGlite data directory. */
export class DataDirInUseError extends Error {}

/**
 * PGlite is one process's database: two processes writing one data directory would corrupt it.
 * A lock file next to it (`<dir>.lock`, holding the owner's pid) makes a second `npm start` on the
 * same DATA_DIR fail fast with a clear message; a lock left by a dead process is taken over.
 */
export function lockDataDir(dir: string): () => void {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const lockPath = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(lockPath, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new DataDirInUseError(
          `The data directory ${dir} is in use by process ${pid} (another npm start?). Stop that process, or set DATA_DIR to another folder.`,
        );
      }
      fs.rmSync(lockPath, { force: true }); // stale: its process is gone
    }
  }
  throw new DataDirInUseError(`Could not lock the data directory ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Round trip that proves the database answers; used by /healthz. */
export async function pingDb(db: Knex): Promise<void> {
  await db.raw('select 1');
}
