import { activateJobs, toActivatedJob, type ActivateRequest, type ActivatedJob } from '../commands/jobs';
import type { EngineCore } from './EngineCore';

/** A parked ActivateJobs call (long polling). */
export interface Poller {
  req: ActivateRequest;
  /** Writes the jobs and ends the call; false if the client is gone. */
  deliver(jobs: ActivatedJob[]): boolean;
  /** Ends the call with no jobs (shutdown, failure). */
  end(): void;
}

/** An open StreamActivatedJobs call. */
export interface JobStream {
  req: Omit<ActivateRequest, 'maxJobsToActivate'>;
  /** Pushes one job; false if the client is gone. */
  push(job: ActivatedJob): boolean;
}

export type Delivery = () => void;

/**
 * Hands jobs that became activatable to parked long-polls and open job streams. It runs inside
 * the batch, before the commit, so a job created and activated in one batch costs one commit;
 * the deliveries run after the commit (acknowledged = committed).
 */
export class JobBroker {
  private readonly pollers = new Map<string, Poller[]>();
  private readonly streams = new Map<string, JobStream[]>();
  private rr = 0;
  /** Called with job keys a stream failed to take (they go back to ACTIVATABLE). */
  onUndelivered: (jobKeys: string[]) => void = () => undefined;

  park(p: Poller): void {
    const list = this.pollers.get(p.req.type) ?? [];
    list.push(p);
    this.pollers.set(p.req.type, list);
  }

  unpark(p: Poller): boolean {
    const list = this.pollers.get(p.req.type);
    const i = list?.indexOf(p) ?? -1;
    if (!list || i < 0) return false;
    list.splice(i, 1);
    if (!list.length) this.pollers.delete(p.req.type);
    return true;
  }

  addStream(s: JobStream): void {
    const list = this.streams.get(s.req.type) ?? [];
    list.push(s);
    this.streams.set(s.req.type, list);
  }

  removeStream(s: JobStream): void {
    const list = this.streams.get(s.req.type);
    if (!list) return;
    const i = list.indexOf(s);
    if (i >= 0) list.splice(i, 1);
    if (!list.length) this.streams.delete(s.req.type);
  }

  get waitingTypes(): number {
    return this.pollers.size + this.streams.size;
  }

  /** Inside the batch: activate jobs of the given types for waiting parties. */
  assign(core: EngineCore, types: Iterable<string>): Delivery[] {
    const deliveries: Delivery[] = [];
    for (const type of types) {
      if (core.store.activatableByType.get(type).size === 0) continue;
      const streams = this.streams.get(type);
      if (streams?.length) {
        const pushes: { s: JobStream; job: ActivatedJob }[] = [];
        while (core.store.activatableByType.get(type).size) {
          const s = streams[this.rr++ % streams.length];
          const [job] = activateJobs(core, { ...s.req, maxJobsToActivate: 1, type });
          pushes.push({ s, job });
        }
        deliveries.push(() => {
          const failed = pushes.filter(({ s, job }) => !s.push(job)).map(({ job }) => job.key);
          if (failed.length) this.onUndelivered(failed);
        });
        continue;
      }
      const pollers = this.pollers.get(type);
      while (pollers?.length && core.store.activatableByType.get(type).size) {
        const p = pollers.shift()!;
        const jobs = activateJobs(core, p.req);
        deliveries.push(() => {
          if (!p.deliver(jobs)) this.onUndelivered(jobs.map((j) => j.key));
        });
      }
      if (pollers && !pollers.length) this.pollers.delete(type);
    }
    return deliveries;
  }

  /** Ends every parked call and forgets the streams (shutdown). */
  close(): void {
    for (const list of this.pollers.values()) for (const p of list) p.end();
    this.pollers.clear();
    this.streams.clear();
  }
}

export { toActivatedJob };
