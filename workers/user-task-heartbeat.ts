/**
 * The user-task lease heartbeat: re-arms the lease of every open task once per cycle, so a task that
 * waits for weeks is never handed to another worker, and closes tasks whose job is gone. Leases and
 * their configuration: ./user-task-lease.ts; processes/README.md, "User-task bridge: leases".
 */
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import { markCancelled } from '../domain/tasks/task-service';
import { armLease, type UserTaskLeaseConfig } from '../domain/tasks/user-task-lease';

type ZeebeGrpcClient = Zeebe.ZeebeGrpcClient;

export interface HeartbeatTick {
  /** Open tasks looked at in this tick. */
  checked: number;
  armed: number;
  /** Tasks marked cancelled because their job is gone. */
  cancelled: number;
  /** Jobs not activated right now (the bridge re-arms them when it activates them again). */
  notActive: number;
  /** Calls that failed otherwise (the engine unreachable); those tasks are tried in the next cycle. */
  failed: number;
  /** True when this tick finished a pass over all open tasks. */
  cycleDone: boolean;
}

interface LeaseLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * Re-arms the lease of every open task once per cycle, a slice every tick. The pass walks open tasks
 * by `job_key` from a cursor kept in memory: a restart begins a new pass, which the lease's slack
 * (two cycles) absorbs. Several platform processes may run one each; the calls are idempotent.
 */
export class UserTaskLeaseHeartbeat {
  private cursor = '';
  private slice = 0;
  private cycleStartedAt: number | undefined;
  private nextCycleAt = 0;
  private running: Promise<HeartbeatTick> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly db: Knex,
    private readonly zbc: ZeebeGrpcClient,
    private readonly config: UserTaskLeaseConfig,
    private readonly now: () => Date = () => new Date(),
    private readonly log?: LeaseLog,
  ) {}

  /** Starts ticking every `heartbeatTickMs` (nothing when it is 0). */
  start(): this {
    if (this.config.heartbeatTickMs > 0 && !this.timer) {
      this.timer = setInterval(() => {
        this.tick().catch((err: Error) =>
          this.log?.warn({ err: { message: err.message } }, 'user-task lease heartbeat failed; next tick retries'),
        );
      }, this.config.heartbeatTickMs);
      this.timer.unref();
    }
    return this;
  }

  /** Stops ticking and waits for the tick in flight. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Re-arms the next slice of open tasks. Ticks never overlap: a tick called during one joins it. */
  tick(): Promise<HeartbeatTick> {
    this.running ??= this.runTick().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runTick(): Promise<HeartbeatTick> {
    const out: HeartbeatTick = { checked: 0, armed: 0, cancelled: 0, notActive: 0, failed: 0, cycleDone: false };
    if (this.closed) return out;
    const now = this.now().getTime();
    if (this.cycleStartedAt === undefined) {
      // A pass starts no earlier than one cycle after the previous one started: each task is
      // re-armed about once a cycle, however few tasks are open.
      if (now < this.nextCycleAt) return out;
      const [{ n }] = await this.db('task').where({ state: 'created' }).count({ n: '*' });
      const ticks =
        this.config.heartbeatTickMs > 0
          ? Math.max(1, Math.floor(this.config.heartbeatCycleMs / this.config.heartbeatTickMs))
          : 1;
      // Spread over 90 % of the cycle, so tasks opened during the pass do not push it past the cycle.
      this.slice = Math.max(1, Math.ceil(Number(n) / Math.max(1, Math.floor(ticks * 0.9))));
      this.cycleStartedAt = now;
      this.cursor = '';
    }
    const rows: Array<{ id: string; job_key: string; case_id: string | null; department: string | null }> =
      await this.db('task')
        .where({ state: 'created' })
        .andWhere('job_key', '>', this.cursor)
        .orderBy('job_key')
        .limit(this.slice)
        .select('id', 'job_key', 'case_id', 'department');
    out.checked = rows.length;
    let next = 0;
    const work = async () => {
      while (next < rows.length) {
        const task = rows[next++];
        try {
          const outcome = await armLease(this.zbc, task.job_key, this.config.leaseMs);
          if (outcome === 'armed') out.armed += 1;
          else if (outcome === 'not-active') out.notActive += 1;
          else if (await markCancelled(this.db, task, 'element terminated', this.now())) out.cancelled += 1;
        } catch (err) {
          out.failed += 1;
          if (out.failed === 1)
            this.log?.warn(
              { err: { message: (err as Error).message }, jobKey: task.job_key },
              'could not re-arm a user-task lease',
            );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.config.concurrency, rows.length) }, work));
    if (rows.length > 0) this.cursor = rows[rows.length - 1].job_key;
    if (rows.length < this.slice) {
      out.cycleDone = true;
      this.nextCycleAt = this.cycleStartedAt! + this.config.heartbeatCycleMs;
      this.cycleStartedAt = undefined;
      this.cursor = '';
    }
    if (out.cancelled || out.failed || out.notActive) this.log?.info({ ...out }, 'user-task lease heartbeat');
    return out;
  }
}
