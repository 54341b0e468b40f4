/**
 * Bounded engine calls. The SDK's unary gRPC calls carry no deadline, and its default client retries
 * UNAVAILABLE, backpressure and DEADLINE_EXCEEDED forever (PITFALLS.md), so a request that awaits it
 * while the engine is down never answers. Everything a request awaits from the engine goes through
 * {@link withDeadline} (or a client wrapped by {@link boundedClient}) on a client without retries.
 */
import type { Zeebe } from '@camunda8/sdk';

type ZeebeGrpcClient = Zeebe.ZeebeGrpcClient;

/** How long a request waits for one engine call before answering without it. */
export const ENGINE_CALL_DEADLINE_MS = 5000;

/** The engine did not answer within the deadline: the call's outcome is unknown. */
export class EngineDeadlineError extends Error {
  readonly code = 'ENGINE_DEADLINE';
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`the process engine did not answer ${what} within ${ms} ms`);
    this.name = 'EngineDeadlineError';
  }
}

/** `call`, or an {@link EngineDeadlineError} after `ms` — whichever comes first. */
export function withDeadline<T>(call: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EngineDeadlineError(what, ms)), ms);
    timer.unref();
  });
  // A late rejection of the abandoned call must not become an unhandled rejection.
  call.catch(() => undefined);
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}

/** gRPC status codes for which the gateway certainly did not process the command. */
const NOT_PROCESSED = new Set([3, 5, 7, 8, 9, 12, 14, 16]);

/**
 * Whether a failed command certainly did nothing on the engine (rejected, or never delivered), as
 * opposed to an unknown outcome (no answer in time, connection lost mid-call).
 */
export function certainlyNotProcessed(err: unknown): boolean {
  if (err instanceof EngineDeadlineError) return false;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'number') return NOT_PROCESSED.has(code);
  // grpc-js puts "14 UNAVAILABLE: …" in the message when the code is not a number.
  const m = /^(\d+) [A-Z_]+:/.exec(String((err as Error)?.message ?? ''));
  return m ? NOT_PROCESSED.has(Number(m[1])) : false;
}

/**
 * The client with every promise-returning method bounded by `ms` (job workers and streams are not
 * promises and pass through). Give it a client without retries: a timed-out call of a retrying
 * client goes on retrying in the background and may still act long after the request answered.
 */
export function boundedClient(client: ZeebeGrpcClient, ms: number = ENGINE_CALL_DEADLINE_MS): ZeebeGrpcClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'close' || prop === 'createWorker' || prop === 'streamJobs')
        return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => {
        const out = value.apply(target, args);
        return out instanceof Promise ? withDeadline(out, ms, String(prop)) : out;
      };
    },
  });
}
