import type { Knex } from 'knex';
import pg from 'pg';
import type { EngineLogger } from '../index';
import { FencedOut } from './Store';

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
  private released = false;
  onLost: (reason: string) => void = () => undefined;

  constructor(
    private readonly db: Knex,
    private readonly log: EngineLogger,
  ) {}

  private get isPostgres(): boolean {
    return (this.db.client as { config?: { client?: unknown } }).config?.client === 'pg';
  }

  /** Waits until this engine owns the database, then bumps the epoch. */
  async acquire(): Promise<void> {
    if (this.isPostgres) {
      const cfg = (this.db.client as any).config;
      const client = new pg.Client(
        typeof cfg.connection === 'string' ? { connectionString: cfg.connection } : cfg.connection,
      );
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
      await trx('engine_meta')
        .insert({ name: 'epoch', value: JSON.stringify(this.epoch) })
        .onConflict('name')
        .merge();
    });
  }

  /**
   * The epoch every commit must still find in `engine_meta` (the commit statement checks it and
   * writes nothing otherwise, see Store.flush). Throws once this engine knows it lost ownership.
   */
  commitEpoch(): number {
    if (this.lost) throw new FencedOut();
    return this.epoch;
  }

  /** A commit found another epoch: another engine took over. */
  fencedOut(): void {
    this.lose(`another engine took over (epoch ${this.epoch} is no longer current)`);
  }

  private lose(reason: string) {
    if (this.lost || this.released) return;
    this.lost = true;
    this.log.error({ reason }, 'engine lost ownership of the database');
    this.onLost(reason);
  }

  async release(): Promise<void> {
    this.released = true;
    const c = this.client;
    this.client = undefined;
    if (c) await c.end().catch(() => undefined);
  }
}
