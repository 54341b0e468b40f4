/**
 * @packageDocumentation
 * The Node counterpart of zeebe-process-test: an embedded engine on a free port with a clock you
 * control, `waitForIdle`, the record log, open incidents and polling assertions. Drive processes
 * through a real Zeebe client (`client()` gives an `@camunda8/sdk` ZeebeGrpcClient).
 */
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { Camunda8 } from '@camunda8/sdk';
import { startEngine, type Engine, type GatewayAuth, type GatewayTls, type ModelLimits } from '../index';
import { ControlledClock } from '../processing/Clock';
import type { EngineRecord, Incident, IncidentErrorType } from '../state/types';
import { parseJson, stringifyJson } from '../state/json';

type ZeebeClient = ReturnType<Camunda8['getZeebeGrpcApiClient']>;

export interface TestEngineOptions {
  /** Database to use; default: a fresh in-memory PGlite. */
  db?: Knex;
  /** Start time of the engine clock (epoch ms); default: now. */
  startTime?: number;
  /** How long polling assertions wait before failing (default 5000 ms). */
  assertionTimeoutMs?: number;
  /** Also serve the Camunda 8.8 REST API (`/v2`) on a free port (see `restAddress`). */
  rest?: boolean;
  /** Model structure limits (engine option `modelLimits`); default the engine's defaults. */
  modelLimits?: Partial<ModelLimits>;
  /** Credentials the gateways require (engine option `auth`); `client()` then sends them. */
  auth?: GatewayAuth;
  /** PEM certificate and key (engine option `tls`): the gateways serve TLS only. */
  tls?: GatewayTls;
  /** FEEL evaluation budget in ms (engine option `feelBudgetMs`). */
  feelBudgetMs?: number;
}

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

export class TestEngine {
  private readonly clients: ZeebeClient[] = [];
  private readonly ownsDb: boolean;

  private constructor(
    readonly engine: Engine,
    readonly clock: ControlledClock,
    readonly db: Knex,
    ownsDb: boolean,
    readonly assertionTimeoutMs: number,
    private readonly options: TestEngineOptions = {},
  ) {
    this.ownsDb = ownsDb;
  }

  static async start(options: TestEngineOptions = {}): Promise<TestEngine> {
    const ownsDb = !options.db;
    const db =
      options.db ??
      knexFactory({
        client: ClientPgLite as unknown as typeof knexFactory.Client,
        dialect: 'postgres',
        connection: {},
      });
    const clock = new ControlledClock();
    if (options.startTime !== undefined) clock.setTime(options.startTime);
    const engine = await startEngine({
      db,
      port: 0,
      clock,
      rest: options.rest ? { port: 0 } : undefined,
      modelLimits: options.modelLimits,
      auth: options.auth,
      tls: options.tls,
      feelBudgetMs: options.feelBudgetMs,
    });
    const te = new TestEngine(engine, clock, db, ownsDb, options.assertionTimeoutMs ?? 5000, options);
    clock.onChange(() => {
      engine.runtime.reschedule();
      void engine.runtime.fireDue();
    });
    return te;
  }

  /** `grpc://127.0.0.1:<port>` (`grpcs://` with TLS) for SDK configuration. */
  get gatewayAddress(): string {
    return `${this.tls ? 'grpcs' : 'grpc'}://${this.engine.address}`;
  }

  private get tls(): GatewayTls | undefined {
    return this.options.tls;
  }

  /** `http://127.0.0.1:<port>` of the REST API (`rest: true`), for `ZEEBE_REST_ADDRESS`. */
  get restAddress(): string {
    if (!this.engine.restAddress) throw new Error('Expected a test engine started with rest: true');
    return this.engine.restAddress;
  }

  /**
   * The SDK settings that reach this engine: its address, the auth strategy for its credentials
   * (`BEARER` for a token, else `BASIC`, else `NONE`) and, with TLS, its certificate as the root.
   */
  sdkConfig(): Record<string, unknown> {
    const { auth, tls } = this.options;
    const credentials = auth?.token
      ? { CAMUNDA_AUTH_STRATEGY: 'BEARER', CAMUNDA_OAUTH_TOKEN: auth.token }
      : auth?.username
        ? {
            CAMUNDA_AUTH_STRATEGY: 'BASIC',
            CAMUNDA_BASIC_AUTH_USERNAME: auth.username,
            CAMUNDA_BASIC_AUTH_PASSWORD: auth.password,
          }
        : { CAMUNDA_AUTH_STRATEGY: 'NONE' };
    return {
      ZEEBE_GRPC_ADDRESS: this.gatewayAddress,
      ...(this.engine.restAddress ? { ZEEBE_REST_ADDRESS: this.engine.restAddress } : {}),
      ...credentials,
      ...(tls ? { CAMUNDA_CUSTOM_ROOT_CERT_STRING: Buffer.from(tls.cert).toString('utf8') } : {}),
    };
  }

  /** A real `@camunda8/sdk` Zeebe gRPC client for this engine (closed by `stop`). */
  client(): ZeebeClient {
    const c = new Camunda8({
      ...this.sdkConfig(),
      zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE', ZEEBE_GRPC_WORKER_POLL_INTERVAL_MS: 10 },
    } as any).getZeebeGrpcApiClient();
    this.clients.push(c);
    return c;
  }

  /** Moves the engine clock forward; due timers, deadlines and back-offs fire. */
  async increaseTime(ms: number): Promise<void> {
    this.clock.increaseTime(ms);
    await this.waitForIdle();
  }

  async setTime(epochMs: number): Promise<void> {
    this.clock.setTime(epochMs);
    await this.waitForIdle();
  }

  now(): number {
    return this.clock.now();
  }

  /** Waits until nothing is queued or due and the engine stayed quiet for a short grace period. */
  async waitForIdle(timeoutMs = 10_000, graceMs = 30): Promise<void> {
    const rt = this.engine.runtime;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await rt.processor.drained();
      if (!rt.isIdle()) await rt.fireDue();
      const before = rt.core.store.lastPosition;
      await new Promise((r) => setTimeout(r, graceMs));
      if (rt.isIdle() && rt.core.store.lastPosition === before) return;
      if (Date.now() > deadline)
        throw new AssertionError(`Expected the engine to become idle within ${timeoutMs} ms, but it kept working`);
    }
  }

  records(filter?: Parameters<Engine['admin']['records']>[0]): Promise<EngineRecord[]> {
    return this.engine.admin.records(filter);
  }

  incidents(processInstanceKey?: string): Incident[] {
    return this.engine.admin.incidents({ processInstanceKey });
  }

  /** Polls `check` until it returns true or the assertion timeout passes. */
  async eventually(
    description: string,
    check: () => Promise<boolean> | boolean,
    timeoutMs = this.assertionTimeoutMs,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await check()) return;
      if (Date.now() > deadline)
        throw new AssertionError(`Expected ${description}, but it did not happen within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private async elementRecords(pi: string): Promise<EngineRecord[]> {
    return await this.records({ processInstanceKey: pi, valueType: 'PROCESS_INSTANCE' });
  }

  /** The process instance reached COMPLETED. */
  isCompleted(pi: string): Promise<void> {
    return this.eventually(`process instance ${pi} to be completed`, async () =>
      (await this.elementRecords(pi)).some((r) => r.key === pi && r.intent === 'ELEMENT_COMPLETED'),
    );
  }

  isTerminated(pi: string): Promise<void> {
    return this.eventually(`process instance ${pi} to be terminated`, async () =>
      (await this.elementRecords(pi)).some((r) => r.key === pi && r.intent === 'ELEMENT_TERMINATED'),
    );
  }

  /** The process instance is still active (not completed or terminated). */
  async isActive(pi: string): Promise<void> {
    await this.waitForIdle();
    const root = this.engine.runtime.core.store.elements.get(pi);
    if (!root)
      throw new AssertionError(`Expected process instance ${pi} to be active, but it has ended or never existed`);
  }

  /** The instance waits at exactly these elements (and maybe others when `exactly` is false). */
  isWaitingAtElements(pi: string, elementIds: string[], exactly = false): Promise<void> {
    return this.eventually(`process instance ${pi} to wait at [${elementIds.join(', ')}]`, () => {
      const active = this.activeElementIds(pi);
      const ok = elementIds.every((id) => active.includes(id));
      return exactly ? ok && active.length === elementIds.length : ok;
    });
  }

  /** Element ids that are currently active (waiting) in an instance, including called children. */
  activeElementIds(pi: string): string[] {
    const store = this.engine.runtime.core.store;
    return [...store.elements.values()]
      .filter(
        (e) =>
          e.processInstanceKey === pi &&
          e.type !== 'PROCESS' &&
          e.type !== 'MULTI_INSTANCE_BODY' &&
          !['SUB_PROCESS', 'EVENT_SUB_PROCESS'].includes(e.type),
      )
      .map((e) => e.elementId);
  }

  hasPassedElement(pi: string, elementId: string, times = 1): Promise<void> {
    return this.eventually(
      `process instance ${pi} to have passed '${elementId}' ${times} time(s)`,
      async () =>
        (await this.elementRecords(pi)).filter(
          (r) => r.value.elementId === elementId && r.intent === 'ELEMENT_COMPLETED',
        ).length >= times,
    );
  }

  async hasNotPassedElement(pi: string, elementId: string): Promise<void> {
    await this.waitForIdle();
    const n = (await this.elementRecords(pi)).filter(
      (r) => r.value.elementId === elementId && r.intent === 'ELEMENT_COMPLETED',
    ).length;
    if (n)
      throw new AssertionError(
        `Expected process instance ${pi} not to have passed '${elementId}', but it passed it ${n} time(s)`,
      );
  }

  /** The latest value of a root-scope variable (from the record log, so it works after completion). */
  async variable(pi: string, name: string): Promise<unknown> {
    const recs = await this.records({ processInstanceKey: pi, valueType: 'VARIABLE' });
    const last = recs.filter((r) => r.value.name === name && r.value.scopeKey === pi).pop();
    return last ? parseJson(last.value.value as string) : undefined;
  }

  hasVariable(pi: string, name: string, value?: unknown): Promise<void> {
    return this.eventually(
      `process instance ${pi} to have variable '${name}'${value === undefined ? '' : ` = ${stringifyJson(value)}`}`,
      async () => {
        const v = await this.variable(pi, name);
        if (v === undefined) return false;
        return value === undefined || stringifyJson(v) === stringifyJson(value);
      },
    );
  }

  hasIncident(pi: string, errorType?: IncidentErrorType, elementId?: string): Promise<Incident> {
    let found: Incident | undefined;
    return this.eventually(
      `process instance ${pi} to have an incident${errorType ? ` of type ${errorType}` : ''}${elementId ? ` at '${elementId}'` : ''}`,
      () => {
        found = this.incidents(pi).find(
          (i) => (!errorType || i.errorType === errorType) && (!elementId || i.elementId === elementId),
        );
        return !!found;
      },
    ).then(() => found!);
  }

  async stop(): Promise<void> {
    for (const c of this.clients) await c.close().catch(() => undefined);
    await this.engine.stop();
    if (this.ownsDb) await this.db.destroy();
  }
}

export const startTestEngine = (options?: TestEngineOptions) => TestEngine.start(options);
export { ControlledClock };
