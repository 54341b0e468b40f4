import type { Knex } from 'knex';
import pg from 'pg';
import type { EngineLogger } from '../index';

/**
 * One engine owns a database (or PostgreSQL schema) at a time.
 *
 * - Ownership is a PostgreSQL session advisory lock held on a dedicated connection. A second
 *   engine blocks on `pg_advisory_lock` (hot standby) and gets it the moment the owner's session
 *   ends — PostgreSQL releases it as soon as the dead process's socket closes.
 * - Fencing: taking over increments an epoch in `engine_meta`; every commit of the owner checks
 *   the epoch inside its transaction (`UPDATE … WHERE value = <mine>`, one row expected). An owner
 *   whose lock connection died and that was superseded can therefore never write again, even if it
 *   has not noticed yet — its next batch fails and it shuts down.
 *
 * PGlite is one connection inside one process: a second process cannot share the data directory,
 * so there is nothing to lock here (the platform refuses a second process on the same DATA_DIR).
 */
export class Ownership {
  private client: pg.Client | undefined;
  epoch = 0;
  lost = false;
  onLost: (reason: string) => void = () => undefined;

  constructor(private readonly db: Knex, private readonly log: EngineLogger) {}

  private get isPostgres(): boolean {
    return (this.db.client as { config?: { client?: unknown } }).config?.client === 'pg';
  }

  /** Waits until this engine owns the database, then bumps the epoch. */
  async acquire(): Promise<void> {
    if (this.isPostgres) {
      const cfg = (this.db.client as any).config;
      const client = new pg.Client(typeof cfg.connection === 'string' ? { connectionString: cfg.connection } : cfg.connection);
      await client.connect();
      const schema = cfg.searchPath ? (Array.isArray(cfg.searchPath) ? cfg.searchPath[0] : cfg.searchPath) : 'public';
      await client.query(`set search_path to "${String(schema).replace(/"/g, '""')}"`);
      client.on('error', (err) => this.lose(`the ownership connection failed: ${err.message}`));
      client.on('end', () => this.lose('the ownership connection closed'));
      const key = `onematter-engine:${schema}`;
      const { rows } = await client.query('select pg_try_advisory_lock(hashtext($1)) as ok', [key]);
      if (!rows[0].ok) {
        this.log.info({ schema }, 'another engine owns this database: waiting as hot standby');
        await client.query('select pg_advisory_lock(hashtext($1))', [key]);
        this.log.info({ schema }, 'took over ownership of the database');
      }
      this.client = client;
    }
    await this.db.transaction(async (trx) => {
      const row = await trx('engine_meta').where({ name: 'epoch' }).first();
      const current = row ? Number(typeof row.value === 'string' ? JSON.parse(row.value) : row.value) : 0;
      this.epoch = current + 1;
      await trx('engine_meta').insert({ name: 'epoch', value: JSON.stringify(this.epoch) }).onConflict('name').merge();
    });
  }

  /** Inside every commit: proves this engine is still the owner, else aborts the transaction. */
  async fence(trx: Knex.Transaction): Promise<void> {
    if (this.lost) throw new Error('This engine lost ownership of the database; it no longer writes');
    const updated: unknown = await trx('engine_meta').where({ name: 'epoch' }).whereRaw('value = ?::jsonb', [JSON.stringify(this.epoch)]).update({ value: JSON.stringify(this.epoch) });
    const n = typeof updated === 'number' ? updated : Number((updated as { affectedRows?: number }).affectedRows ?? 0);
    if (n !== 1) {
      this.lose(`another engine took over (epoch ${this.epoch} is no longer current)`);
      throw new Error('This engine lost ownership of the database; it no longer writes');
    }
  }

  private lose(reason: string) {
    if (this.lost || !this.client) return;
    this.lost = true;
    this.log.error({ reason }, 'engine lost ownership of the database');
    this.onLost(reason);
  }

  async release(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.end().catch(() => undefined);
  }
}
