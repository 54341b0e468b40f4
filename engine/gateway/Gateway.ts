import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import path from 'node:path';
import type { EngineRuntime } from '../Engine';
import { cancelInstance, createInstance } from '../commands/instances';
import {
  activateJobs,
  completeJob,
  failJob,
  throwError,
  updateJobRetries,
  updateJobTimeout,
  type ActivatedJob,
} from '../commands/jobs';
import { broadcastSignal, publishMessage } from '../commands/messages';
import { resolveIncident } from '../commands/incidents';
import { setVariables } from '../commands/variables';
import { modifyInstance, type ModifyRequest } from '../commands/modify';
import { migrateInstance, type MigrateRequest } from '../commands/migrate';
import { deleteResource } from '../commands/resources';
import { evaluateDecisionCommand } from '../dmn/decisions';
import { InvalidArgument, Rejection } from '../processing/Rejection';
import type { Poller, JobStream } from '../processing/JobBroker';
import { TENANT } from '../processing/EngineCore';
import { parseJson, stringifyJson } from '../state/json';
import { authEnabled, checkAuthorization, type GatewayAuth, type GatewayTls } from './auth';

/** The proto that ships with the SDK is the wire contract (nothing copied). */
const PROTO = path.join(path.dirname(require.resolve('@camunda8/sdk/package.json')), 'dist/proto/zeebe.proto');
export const GATEWAY_VERSION = '8.8.0';
const DEFAULT_LONG_POLL_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

type Call = grpc.ServerUnaryCall<any, any>;
type Callback = grpc.sendUnaryData<any>;

/** Parses a JSON document field: must be an object; '' means none. */
export function parseDocument(text: string | undefined, field = 'variables'): Record<string, unknown> {
  if (text === undefined || text === null || text.trim() === '') return {};
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (e) {
    throw new InvalidArgument(
      `Property '${field}' is invalid: Expected document to be valid JSON, but it was not: ${(e as Error).message}`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const t =
      value === null
        ? 'NIL'
        : Array.isArray(value)
          ? 'ARRAY'
          : typeof value === 'string'
            ? 'STRING'
            : typeof value === 'number'
              ? 'NUMBER'
              : 'BOOLEAN';
    throw new InvalidArgument(
      `Property '${field}' is invalid: Expected document to be a root level object, but was '${t}'`,
    );
  }
  return value as Record<string, unknown>;
}

function checkTenant(tenantId: string | undefined) {
  if (tenantId && tenantId !== TENANT) {
    throw new InvalidArgument(
      `Expected to handle request with tenant identifier '${tenantId}', but multi-tenancy is disabled`,
    );
  }
}

/**
 * Advertises `grpc-accept-encoding: identity` in every response's headers. The Camunda SDK gzips
 * every request by default; a grpc-js client that sees the server accept only identity sends the
 * rest of the channel's calls uncompressed (grpc-js compression filter). Zeebe's messages are a
 * few hundred bytes on a local network, where gzip costs both sides CPU for nothing (it was 10 % of
 * the engine process's samples). Compressed requests are still accepted — gzip and deflate are
 * decoded as before — so clients that ignore the header keep working.
 */
const preferIdentity: grpc.ServerInterceptor = (_method, call) =>
  new grpc.ServerInterceptingCall(call, {
    sendMetadata(metadata, next) {
      metadata.set('grpc-accept-encoding', 'identity');
      next(metadata);
    },
  });

/**
 * Refuses a call whose `authorization` metadata does not carry the configured credentials with
 * `UNAUTHENTICATED` (code 16, which the SDK does not retry), before any handler runs.
 */
function requireAuth(auth: GatewayAuth): grpc.ServerInterceptor {
  return (_method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, mdNext) {
            const header = metadata.get('authorization')[0];
            const refused = checkAuthorization(typeof header === 'string' ? header : header?.toString('utf8'), auth);
            if (refused === undefined) mdNext(metadata);
            else
              call.sendStatus({ code: grpc.status.UNAUTHENTICATED, details: refused, metadata: new grpc.Metadata() });
          },
        });
      },
    });
}

function toStatus(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof Rejection || err instanceof InvalidArgument) return { code: err.grpcCode, details: err.message };
  const code = (err as { grpcCode?: number }).grpcCode;
  if (code) return { code, details: (err as Error).message };
  return { code: grpc.status.INTERNAL, details: `Unexpected error in the engine: ${(err as Error)?.message ?? err}` };
}

/**
 * Ends a server stream with an error status. grpc-js sends the status from its own 'error' handler;
 * `call.destroy(err)` would never send it (a destroyed stream skips `_final`) and the client hangs.
 */
function failStream(call: grpc.ServerWritableStream<any, any>, err: unknown): void {
  call.emit('error', Object.assign(new Error(toStatus(err).details), toStatus(err)));
}

function unary<Req, Res>(fn: (req: Req, call: Call) => Promise<Res> | Res) {
  return (call: Call, cb: Callback) => {
    Promise.resolve()
      .then(() => fn(call.request as Req, call))
      .then(
        (res) => cb(null, res),
        (err) => cb(toStatus(err) as grpc.ServiceError),
      );
  };
}

const num = (v: string | number | undefined, def = 0) => (v === undefined || v === '' ? def : Number(v));

function validateActivation(type: string, timeout: number, max?: number) {
  if (!type || !type.trim())
    throw new InvalidArgument("Expected to activate jobs with a non-empty 'type', but the type was empty");
  if (!(timeout >= 1))
    throw new InvalidArgument(`Expected to activate jobs with a 'timeout' of at least 1 ms, but it was '${timeout}'`);
  if (max !== undefined && !(max >= 1))
    throw new InvalidArgument(`Expected to activate jobs with 'maxJobsToActivate' of at least 1, but it was '${max}'`);
}

/** Serves Zeebe's gateway protocol on top of an EngineRuntime. */
export class Gateway {
  private server: grpc.Server | undefined;
  port = 0;

  constructor(
    private readonly rt: EngineRuntime,
    private readonly host: string,
    private readonly security: { auth?: GatewayAuth; tls?: GatewayTls } = {},
  ) {}

  async listen(port: number): Promise<number> {
    const def = protoLoader.loadSync(PROTO, {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const gp = (grpc.loadPackageDefinition(def) as any).gateway_protocol;
    const server = new grpc.Server({
      'grpc.max_receive_message_length': 8 * 1024 * 1024,
      interceptors: authEnabled(this.security.auth)
        ? [requireAuth(this.security.auth), preferIdentity]
        : [preferIdentity],
    });
    const tls = this.security.tls;
    const credentials = tls
      ? grpc.ServerCredentials.createSsl(null, [
          { cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) },
        ])
      : grpc.ServerCredentials.createInsecure();
    server.addService(gp.Gateway.service, this.handlers());
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${this.host}:${port}`, credentials, (err, p) => (err ? reject(err) : resolve(p))),
    );
    this.server = server;
    return this.port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 2000);
      server.tryShutdown(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private handlers(): grpc.UntypedServiceImplementation {
    const rt = this.rt;
    const p = rt.processor;
    return {
      Topology: unary(() => ({
        brokers: [
          {
            nodeId: 0,
            host: this.host,
            port: this.port,
            version: GATEWAY_VERSION,
            partitions: [{ partitionId: 1, role: 'LEADER', health: 'HEALTHY' }],
          },
        ],
        clusterSize: 1,
        partitionsCount: 1,
        replicationFactor: 1,
        gatewayVersion: GATEWAY_VERSION,
      })),

      DeployResource: unary(async (req: any) => {
        checkTenant(req.tenantId);
        const res = await rt.deploy((req.resources ?? []).map((r: any) => ({ name: r.name, content: r.content })));
        return { key: res.key, deployments: res.deployments, tenantId: TENANT };
      }),

      DeployProcess: unary(async (req: any) => {
        const res = await rt.deploy((req.processes ?? []).map((r: any) => ({ name: r.name, content: r.definition })));
        return {
          key: res.key,
          processes: res.deployments
            .filter((d): d is Extract<typeof d, { process: unknown }> => 'process' in d)
            .map((d) => d.process),
        };
      }),

      CreateProcessInstance: unary(async (req: any) => {
        checkTenant(req.tenantId);
        const variables = parseDocument(req.variables);
        const r = await p.submit((core) => createInstance(core, toCreate(req, variables)));
        return { ...r, tenantId: TENANT };
      }),

      CreateProcessInstanceWithResult: unary(async (req: any, call) => {
        const inner = req.request ?? {};
        checkTenant(inner.tenantId);
        const variables = parseDocument(inner.variables);
        const timeout = num(req.requestTimeout) > 0 ? num(req.requestTimeout) : DEFAULT_REQUEST_TIMEOUT_MS;
        const fetch: string[] = req.fetchVariables ?? [];
        let resolveVars!: (v: Record<string, unknown>) => void;
        const done = new Promise<Record<string, unknown>>((r) => (resolveVars = r));
        let unregister = () => undefined as void;
        const created = await p.submit((core) => {
          const r = createInstance(core, toCreate(inner, variables));
          unregister = rt.awaitResult(r.processInstanceKey, { resolve: resolveVars });
          return r;
        });
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            unregister();
            reject(
              Object.assign(
                new Error(
                  `Expected to receive the result of process instance '${created.processInstanceKey}' within ${timeout} ms, but it did not complete in time`,
                ),
                { grpcCode: grpc.status.DEADLINE_EXCEEDED },
              ),
            );
          }, timeout);
        });
        call.on('cancelled', () => unregister());
        try {
          const vars = await Promise.race([done, timedOut]);
          const out = fetch.length ? Object.fromEntries(Object.entries(vars).filter(([k]) => fetch.includes(k))) : vars;
          return { ...created, variables: stringifyJson(out), tenantId: TENANT };
        } finally {
          clearTimeout(timer);
        }
      }),

      CancelProcessInstance: unary(async (req: any) => {
        await p.submit((core) => cancelInstance(core, String(req.processInstanceKey)));
        return {};
      }),

      ActivateJobs: (call: grpc.ServerWritableStream<any, any>) => {
        const req = call.request;
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          call.end();
        };
        Promise.resolve()
          .then(async () => {
            const timeout = num(req.timeout);
            const max = num(req.maxJobsToActivate);
            validateActivation(req.type, timeout, max);
            if (!req.worker || !String(req.worker).trim())
              throw new InvalidArgument(
                "Expected to activate jobs with a non-empty 'worker', but the worker was empty",
              );
            for (const t of req.tenantIds ?? []) checkTenant(t);
            const rqTimeout = num(req.requestTimeout);
            const longPoll = rqTimeout >= 0;
            const request = {
              type: req.type,
              worker: req.worker,
              timeout,
              maxJobsToActivate: max,
              fetchVariable: req.fetchVariable ?? [],
            };
            const t: { timer?: NodeJS.Timeout } = {};
            const poller: Poller = {
              req: request,
              deliver: (jobs: ActivatedJob[]) => {
                clearTimeout(t.timer);
                if (ended || call.cancelled) return false;
                writeJobs(call, jobs);
                end();
                return true;
              },
              end: () => {
                clearTimeout(t.timer);
                end();
              },
            };
            const jobs = await p.submit((core) => {
              const found = activateJobs(core, request);
              if (!found.length && longPoll && !call.cancelled) rt.broker.park(poller);
              return found;
            });
            if (jobs.length) {
              if (call.cancelled) rt.broker.onUndelivered(jobs.map((j) => j.key));
              else {
                writeJobs(call, jobs);
                end();
              }
              return;
            }
            if (!longPoll) return end();
            t.timer = setTimeout(
              () => {
                if (rt.broker.unpark(poller)) end();
              },
              rqTimeout > 0 ? rqTimeout : DEFAULT_LONG_POLL_MS,
            );
            call.on('cancelled', () => {
              clearTimeout(t.timer);
              rt.broker.unpark(poller);
              ended = true;
            });
          })
          .catch((err) => {
            if (ended) return;
            ended = true;
            failStream(call, err);
          });
      },

      StreamActivatedJobs: (call: grpc.ServerWritableStream<any, any>) => {
        const req = call.request;
        try {
          const timeout = num(req.timeout);
          validateActivation(req.type, timeout);
          for (const t of req.tenantIds ?? []) checkTenant(t);
        } catch (err) {
          failStream(call, err);
          return;
        }
        const stream: JobStream = {
          req: {
            type: req.type,
            worker: req.worker,
            timeout: num(req.timeout),
            fetchVariable: req.fetchVariable ?? [],
          },
          push: (job) => {
            if (call.cancelled || call.destroyed) return false;
            return call.write(job) || true;
          },
        };
        rt.broker.addStream(stream);
        const remove = () => rt.broker.removeStream(stream);
        call.on('cancelled', remove);
        call.on('close', remove);
        call.on('error', remove);
      },

      CompleteJob: unary(async (req: any) => {
        const variables = parseDocument(req.variables);
        await p.submit((core) => completeJob(core, String(req.jobKey), variables));
        return {};
      }),

      FailJob: unary(async (req: any) => {
        const variables = parseDocument(req.variables);
        await p.submit((core) =>
          failJob(core, String(req.jobKey), num(req.retries), req.errorMessage ?? '', num(req.retryBackOff), variables),
        );
        return {};
      }),

      ThrowError: unary(async (req: any) => {
        const variables = parseDocument(req.variables);
        if (!req.errorCode)
          throw new InvalidArgument("Expected to throw an error with a non-empty 'errorCode', but it was empty");
        await p.submit((core) =>
          throwError(core, String(req.jobKey), req.errorCode, req.errorMessage ?? '', variables),
        );
        return {};
      }),

      UpdateJobRetries: unary(async (req: any) => {
        await p.submit((core) => updateJobRetries(core, String(req.jobKey), num(req.retries)));
        return {};
      }),

      UpdateJobTimeout: unary(async (req: any) => {
        await p.submit((core) => updateJobTimeout(core, String(req.jobKey), num(req.timeout)));
        return {};
      }),

      PublishMessage: unary(async (req: any) => {
        checkTenant(req.tenantId);
        if (!req.name)
          throw new InvalidArgument("Expected to publish a message with a non-empty 'name', but it was empty");
        const variables = parseDocument(req.variables);
        return p.submit((core) =>
          publishMessage(core, {
            name: req.name,
            correlationKey: req.correlationKey ?? '',
            timeToLive: num(req.timeToLive),
            messageId: req.messageId ?? '',
            variables,
          }),
        );
      }),

      BroadcastSignal: unary(async (req: any) => {
        checkTenant(req.tenantId);
        if (!req.signalName)
          throw new InvalidArgument("Expected to broadcast a signal with a non-empty 'signalName', but it was empty");
        const variables = parseDocument(req.variables);
        return p.submit((core) => broadcastSignal(core, req.signalName, variables));
      }),

      SetVariables: unary(async (req: any) => {
        const variables = parseDocument(req.variables);
        return p.submit((core) => setVariables(core, String(req.elementInstanceKey), variables, !!req.local));
      }),

      ResolveIncident: unary(async (req: any) => {
        await p.submit((core) => resolveIncident(core, String(req.incidentKey)));
        return {};
      }),

      EvaluateDecision: unary(async (req: any) => {
        checkTenant(req.tenantId);
        const variables = parseDocument(req.variables);
        return p.submit((core) =>
          evaluateDecisionCommand(core, {
            decisionId: req.decisionId ?? '',
            decisionKey: String(req.decisionKey ?? '0'),
            variables,
          }),
        );
      }),

      DeleteResource: unary(async (req: any) => {
        await p.submit((core) => deleteResource(core, String(req.resourceKey ?? '0')));
        return {};
      }),

      ModifyProcessInstance: unary(async (req: any) => {
        const request = toModify(req);
        await p.submit((core) => modifyInstance(core, request));
        return {};
      }),

      MigrateProcessInstance: unary(async (req: any) => {
        const request = toMigrate(req);
        await p.submit((core) => migrateInstance(core, request));
        return {};
      }),
    };
  }
}

/**
 * Writes activated jobs as one or more stream messages, each under ~3 MiB, because clients keep
 * gRPC's default 4 MiB receive limit (Zeebe splits its responses the same way).
 */
export function writeJobs(
  call: grpc.ServerWritableStream<any, any>,
  jobs: ActivatedJob[],
  limit = 3 * 1024 * 1024,
): void {
  let batch: ActivatedJob[] = [];
  let size = 0;
  for (const job of jobs) {
    const jobSize = job.variables.length + job.customHeaders.length + 512;
    if (batch.length && size + jobSize > limit) {
      call.write({ jobs: batch });
      batch = [];
      size = 0;
    }
    batch.push(job);
    size += jobSize;
  }
  if (batch.length) call.write({ jobs: batch });
}

function toCreate(req: any, variables: Record<string, unknown>) {
  return {
    bpmnProcessId: req.bpmnProcessId ?? '',
    version: num(req.version, -1) === 0 ? -1 : num(req.version, -1),
    processDefinitionKey: String(req.processDefinitionKey ?? '0'),
    variables,
    startElementIds: (req.startInstructions ?? []).map((s: any) => s.elementId),
  };
}

/** ModifyProcessInstanceRequest → the engine's request; an unset ancestor (0) means none selected. */
export function toModify(req: any): ModifyRequest {
  return {
    processInstanceKey: String(req.processInstanceKey ?? '0'),
    activate: (req.activateInstructions ?? []).map((a: any) => ({
      elementId: a.elementId ?? '',
      ancestorElementInstanceKey: String(a.ancestorElementInstanceKey ?? '-1'),
      variables: (a.variableInstructions ?? []).map((v: any) => ({
        scopeId: v.scopeId ?? '',
        variables: parseDocument(v.variables),
      })),
    })),
    terminate: (req.terminateInstructions ?? []).map((t: any) => String(t.elementInstanceKey)),
  };
}

export function toMigrate(req: any): MigrateRequest {
  const plan = req.migrationPlan ?? {};
  return {
    processInstanceKey: String(req.processInstanceKey ?? '0'),
    targetProcessDefinitionKey: String(plan.targetProcessDefinitionKey ?? '0'),
    mappingInstructions: (plan.mappingInstructions ?? []).map((m: any) => ({
      sourceElementId: m.sourceElementId ?? '',
      targetElementId: m.targetElementId ?? '',
    })),
  };
}
