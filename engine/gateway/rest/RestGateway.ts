/**
 * The Camunda 8.8 Orchestration Cluster REST API (`/v2`) on top of an EngineRuntime. Every
 * state change goes through the same engine commands as the gRPC gateway (commands/*, submitted
 * to the single-writer processor); reads come from live state and the record log (views.ts).
 * Requests are validated and responses shaped with `@camunda/camunda-api-zod-schemas` (8.8);
 * errors are problem+json. Keys travel as decimal strings.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import Busboy from 'busboy';
import { z } from 'zod';
import type { EngineRuntime } from '../../Engine';
import type { EngineAdmin } from '../../index';
import { GATEWAY_VERSION } from '../Gateway';
import { authEnabled, checkAuthorization, type GatewayAuth, type GatewayTls } from '../auth';
import { cancelInstance, createInstance } from '../../commands/instances';
import {
  activateJobs,
  completeJob,
  failJob,
  throwError,
  updateJobRetries,
  updateJobTimeout,
  type ActivatedJob,
} from '../../commands/jobs';
import { broadcastSignal, publishMessage } from '../../commands/messages';
import { resolveIncident } from '../../commands/incidents';
import { modifyInstance } from '../../commands/modify';
import { migrateInstance } from '../../commands/migrate';
import { ControlledClock } from '../../processing/Clock';
import { TENANT } from '../../processing/EngineCore';
import { Rejection } from '../../processing/Rejection';
import type { Poller } from '../../processing/JobBroker';
import { RestError, sendProblem, toProblem } from './problem';
import { search, matchString, type SearchRequest, type SearchSpec } from './query';
import {
  api,
  createProcessInstanceBody,
  createProcessInstanceResponse,
  migrateProcessInstanceBody,
  parseBody,
  shape,
} from './schemas';
import { elementInstances, incidents, processDefinitions, processInstances, variables } from './views';
import { userTaskRoutes } from './user-tasks';

const DEFAULT_LONG_POLL_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

type Handler = (req: Request, res: Response) => Promise<unknown> | unknown;

function checkTenant(tenantId: string | undefined | null) {
  if (tenantId && tenantId !== TENANT)
    throw new RestError(
      400,
      'INVALID_ARGUMENT',
      `Expected to handle request with tenant identifier '${tenantId}', but multi-tenancy is disabled`,
    );
}

function pathKey(req: Request, name: string): string {
  const v = String(req.params[name] ?? '');
  if (!/^\d{1,19}$/.test(v) || BigInt(v) > 9223372036854775807n)
    throw new RestError(400, 'INVALID_ARGUMENT', `The provided ${name} '${v}' is not a valid key`);
  return v;
}

function bodyKey(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const v = String(value);
  if (!/^\d{1,19}$/.test(v))
    throw new RestError(400, 'INVALID_ARGUMENT', `The provided ${name} '${v}' is not a valid key`);
  return v;
}

const notFound = (entity: string, key: string) =>
  new RestError(404, 'NOT_FOUND', `${entity} with key '${key}' not found`);

/** Search bodies: the package's schema for the entity, with cursor aliases accepted in `page`. */
function searchBody(schema: z.ZodType, body: unknown): SearchRequest {
  const b = normalizeSearch(body);
  const page = ((body as Record<string, unknown> | undefined)?.page ?? undefined) as
    Record<string, unknown> | undefined;
  let parsed: SearchRequest;
  const first = schema.safeParse(b);
  if (first.success) parsed = first.data as SearchRequest;
  else {
    // The API takes a plain value wherever it takes `{ $eq: value }` (e.g. `state: 'ACTIVE'`);
    // the schema package types some of those fields as operator objects only.
    for (const issue of first.error.issues) {
      const path = issue.path.map(String);
      if (path[0] !== 'filter' || issue.code !== 'invalid_type') continue;
      let holder: any = b;
      for (const seg of path.slice(0, -1)) holder = holder?.[seg];
      const last = path[path.length - 1];
      const v = holder?.[last];
      if (holder && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'))
        holder[last] = { $eq: v };
    }
    parsed = parseBody(schema, b) as SearchRequest;
  }
  if (page && (page.searchAfter !== undefined || page.searchBefore !== undefined))
    parsed.page = { ...parsed.page, searchAfter: page.searchAfter, searchBefore: page.searchBefore };
  return parsed;
}

/** Sort orders are accepted in either case (`ASC` as the SDKs send it, `asc` as the schema has it). */
function normalizeSearch(body: unknown): Record<string, unknown> {
  const b = structuredClone((body ?? {}) as Record<string, unknown>);
  if (Array.isArray(b.sort))
    b.sort = b.sort.map((s: unknown) =>
      s && typeof s === 'object' && typeof (s as { order?: unknown }).order === 'string'
        ? { ...(s as object), order: (s as { order: string }).order.toLowerCase() }
        : s,
    );
  if (b.page && typeof b.page === 'object') {
    const { searchAfter: _a, searchBefore: _b, ...rest } = b.page as Record<string, unknown>;
    b.page = rest;
  }
  return b;
}

const byProcessInstance = (filter: Record<string, unknown> | undefined): { processInstanceKey?: string } => {
  const v = filter?.processInstanceKey;
  return typeof v === 'string' ? { processInstanceKey: v } : {};
};

function toRestJob(job: ActivatedJob) {
  return {
    jobKey: job.key,
    type: job.type,
    processDefinitionId: job.bpmnProcessId,
    processDefinitionVersion: job.processDefinitionVersion,
    processDefinitionKey: job.processDefinitionKey,
    processInstanceKey: job.processInstanceKey,
    elementId: job.elementId,
    elementInstanceKey: job.elementInstanceKey,
    customHeaders: JSON.parse(job.customHeaders || '{}'),
    worker: job.worker,
    retries: job.retries,
    deadline: Number(job.deadline),
    variables: JSON.parse(job.variables || '{}'),
    tenantId: job.tenantId,
  };
}
const activatedJob = api.activatedJobSchema.extend({
  kind: z.string(),
  listenerEventType: z.string(),
});

/** Serves `/v2` of the Orchestration Cluster API for one engine. */
export class RestGateway {
  private server: http.Server | undefined;
  port = 0;

  constructor(
    private readonly rt: EngineRuntime,
    private readonly admin: EngineAdmin,
    private readonly host: string,
    private readonly grpcPort: () => number,
    private readonly security: { auth?: GatewayAuth; tls?: GatewayTls } = {},
  ) {}

  async listen(port: number): Promise<number> {
    const tls = this.security.tls;
    const server = tls
      ? https.createServer({ cert: tls.cert, key: tls.key }, this.app())
      : http.createServer(this.app());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private app(): express.Express {
    const app = express();
    app.disable('x-powered-by');
    const auth = this.security.auth;
    if (authEnabled(auth)) {
      // Before the body is read: an unauthenticated request costs no parsing. Camunda answers 401
      // with a problem detail; the challenge names the schemes that are accepted.
      const challenge = [auth.token ? 'Bearer' : '', auth.username ? 'Basic realm="camunda"' : ''].filter(Boolean);
      app.use((req: Request, res: Response, next: NextFunction) => {
        const refused = checkAuthorization(req.headers.authorization, auth);
        if (refused === undefined) return next();
        res.setHeader('WWW-Authenticate', challenge.join(', '));
        sendProblem(res, {
          type: 'about:blank',
          title: 'Unauthorized',
          status: 401,
          detail: refused,
          instance: req.originalUrl,
        });
      });
    }
    app.use(express.json({ limit: '8mb', type: ['application/json', 'application/*+json'] }));
    const r = express.Router();
    const route = (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, fn: Handler) =>
      r[method](path, async (req: Request, res: Response) => {
        const out = await fn(req, res);
        if (res.headersSent) return;
        if (out === undefined) res.status(204).end();
        else res.status(200).json(out);
      });
    this.routes(route);
    app.use('/v2', r);
    app.use((req: Request, res: Response) =>
      sendProblem(res, {
        type: 'about:blank',
        title: 'NOT_FOUND',
        status: 404,
        detail: `No endpoint ${req.method} ${req.path}`,
        instance: req.originalUrl,
      }),
    );
    app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
      if ((err as { type?: string }).type === 'entity.parse.failed') {
        return sendProblem(res, {
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          detail: `Failed to read request: the body is not valid JSON (${(err as Error).message})`,
          instance: req.originalUrl,
        });
      }
      const problem = toProblem(err, req.originalUrl);
      if (problem.status >= 500) this.rt.log.error({ err, path: req.originalUrl }, 'REST request failed');
      sendProblem(res, problem);
    });
    return app;
  }

  private routes(
    route: (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, fn: Handler) => void,
  ): void {
    const rt = this.rt;
    const p = rt.processor;
    const admin = this.admin;

    // Cluster -----------------------------------------------------------------------------------
    route('get', '/topology', () =>
      shape(api.getTopologyResponseBodySchema, {
        brokers: [
          {
            nodeId: 0,
            host: this.host,
            port: this.grpcPort(),
            version: GATEWAY_VERSION,
            partitions: [{ partitionId: 1, role: 'leader', health: 'healthy' }],
          },
        ],
        clusterSize: 1,
        partitionsCount: 1,
        replicationFactor: 1,
        gatewayVersion: GATEWAY_VERSION,
        lastCompletedChangeId: '-1',
      }),
    );
    route('get', '/license', () =>
      shape(api.licenseSchema, { validLicense: false, licenseType: 'unknown', isCommercial: false, expiresAt: null }),
    );

    // Deployments -------------------------------------------------------------------------------
    route('post', '/deployments', async (req) => {
      const { files, fields } = await readMultipart(req);
      checkTenant(fields.tenantId);
      if (!files.length)
        throw new RestError(
          400,
          'INVALID_ARGUMENT',
          "Expected to deploy at least one resource in the form field 'resources', but none given",
        );
      const res = await rt.deploy(files);
      return shape(
        api.createDeploymentResponseBodySchema.extend({ deployments: z.array(z.record(z.string(), z.unknown())) }),
        {
          deploymentKey: res.key,
          tenantId: TENANT,
          deployments: res.deployments.map((d) =>
            'process' in d
              ? {
                  processDefinition: shape(api.processDeploymentSchema, {
                    processDefinitionId: d.process.bpmnProcessId,
                    processDefinitionVersion: d.process.version,
                    resourceName: d.process.resourceName,
                    tenantId: TENANT,
                    processDefinitionKey: d.process.processDefinitionKey,
                  }),
                }
              : 'decision' in d
                ? {
                    decisionDefinition: shape(api.decisionDeploymentSchema, {
                      decisionDefinitionId: d.decision.dmnDecisionId,
                      version: d.decision.version,
                      name: d.decision.dmnDecisionName,
                      tenantId: TENANT,
                      decisionRequirementsId: d.decision.dmnDecisionRequirementsId,
                      decisionDefinitionKey: String(d.decision.decisionKey),
                      decisionRequirementsKey: String(d.decision.decisionRequirementsKey),
                    }),
                  }
                : 'decisionRequirements' in d
                  ? {
                      decisionRequirements: shape(api.decisionRequirementsDeploymentSchema, {
                        decisionRequirementsId: d.decisionRequirements.dmnDecisionRequirementsId,
                        version: d.decisionRequirements.version,
                        decisionRequirementsName: d.decisionRequirements.dmnDecisionRequirementsName,
                        tenantId: TENANT,
                        resourceName: d.decisionRequirements.resourceName,
                        decisionRequirementsKey: String(d.decisionRequirements.decisionRequirementsKey),
                      }),
                    }
                  : {
                      form: shape(api.formDeploymentSchema, {
                        formId: d.form.formId,
                        version: d.form.version,
                        resourceName: d.form.resourceName,
                        tenantId: TENANT,
                        formKey: d.form.formKey,
                      }),
                    },
          ),
        },
      );
    });

    // Process definitions -----------------------------------------------------------------------
    const definitionSpec: SearchSpec = { key: 'processDefinitionKey' };
    route('post', '/process-definitions/search', (req) => {
      const q = searchBody(api.queryProcessDefinitionsRequestBodySchema, req.body);
      const found = search(processDefinitions(rt), q, definitionSpec);
      return shape(api.queryProcessDefinitionsResponseBodySchema, found);
    });
    const definition = (key: string) => {
      const d = processDefinitions(rt).find((x) => x.processDefinitionKey === key);
      if (!d) throw notFound('Process definition', key);
      return d;
    };
    route('get', '/process-definitions/:processDefinitionKey', (req) =>
      shape(api.processDefinitionSchema, definition(pathKey(req, 'processDefinitionKey'))),
    );
    route('get', '/process-definitions/:processDefinitionKey/xml', (req, res) => {
      const key = pathKey(req, 'processDefinitionKey');
      definition(key);
      res.status(200).type('text/xml').send(rt.core.store.resources.get(key)!.content);
    });

    // Process instances -------------------------------------------------------------------------
    route('post', '/process-instances', async (req) => {
      const body = parseBody(
        createProcessInstanceBody.extend({
          startInstructions: z.array(z.union([z.string(), z.object({ elementId: z.string() })])).optional(),
          processDefinitionKey: z.union([z.string(), z.number()]).optional(),
        }),
        req.body,
      );
      checkTenant(body.tenantId);
      const definitionKey = bodyKey(body.processDefinitionKey, 'processDefinitionKey');
      if (!definitionKey && !body.processDefinitionId)
        throw new RestError(
          400,
          'INVALID_ARGUMENT',
          'At least one of [processDefinitionId, processDefinitionKey] is required',
        );
      const create = {
        bpmnProcessId: body.processDefinitionId ?? '',
        version:
          body.processDefinitionVersion && body.processDefinitionVersion > 0 ? body.processDefinitionVersion : -1,
        processDefinitionKey: definitionKey ?? '0',
        variables: (body.variables ?? {}) as Record<string, unknown>,
        startElementIds: (body.startInstructions ?? []).map((s) => (typeof s === 'string' ? s : s.elementId)),
      };
      const answer = (
        c: { processDefinitionKey: string; bpmnProcessId: string; version: number; processInstanceKey: string },
        vars?: Record<string, unknown>,
      ) =>
        shape(createProcessInstanceResponse, {
          processDefinitionKey: c.processDefinitionKey,
          processDefinitionId: c.bpmnProcessId,
          processDefinitionVersion: c.version,
          processInstanceKey: c.processInstanceKey,
          tenantId: TENANT,
          variables: vars ?? {},
        });
      if (!body.awaitCompletion) return answer(await p.submit((core) => createInstance(core, create)));
      const timeout = body.requestTimeout && body.requestTimeout > 0 ? body.requestTimeout : DEFAULT_REQUEST_TIMEOUT_MS;
      let resolveVars!: (v: Record<string, unknown>) => void;
      const done = new Promise<Record<string, unknown>>((r) => (resolveVars = r));
      let unregister = () => undefined as void;
      const created = await p.submit((core) => {
        const c = createInstance(core, create);
        unregister = rt.awaitResult(c.processInstanceKey, { resolve: resolveVars });
        return c;
      });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          unregister();
          reject(
            new RestError(
              504,
              'DEADLINE_EXCEEDED',
              `Expected to receive the result of process instance '${created.processInstanceKey}' within ${timeout} ms, but it did not complete in time`,
            ),
          );
        }, timeout);
      });
      req.on('close', () => unregister());
      try {
        const vars = await Promise.race([done, timedOut]);
        const fetch = body.fetchVariables ?? [];
        return answer(
          created,
          fetch.length ? Object.fromEntries(Object.entries(vars).filter(([k]) => fetch.includes(k))) : vars,
        );
      } finally {
        clearTimeout(timer);
      }
    });
    route('post', '/process-instances/:processInstanceKey/cancellation', async (req) => {
      const key = pathKey(req, 'processInstanceKey');
      await p.submit((core) => cancelInstance(core, key));
      return undefined;
    });
    route('post', '/process-instances/:processInstanceKey/modification', async (req) => {
      const key = pathKey(req, 'processInstanceKey');
      const body = parseBody(api.modifyProcessInstanceRequestBodySchema, req.body);
      await p.submit((core) =>
        modifyInstance(core, {
          processInstanceKey: key,
          activate: (body.activateInstructions ?? []).map((a) => ({
            elementId: a.elementId,
            ancestorElementInstanceKey: a.ancestorElementInstanceKey ?? '-1',
            variables: (a.variableInstructions ?? []).map((v) => ({
              scopeId: v.scopeId ?? '',
              variables: v.variables,
            })),
          })),
          terminate: (body.terminateInstructions ?? []).map((t) => t.elementInstanceKey),
        }),
      );
      return undefined;
    });
    route('post', '/process-instances/:processInstanceKey/migration', async (req) => {
      const key = pathKey(req, 'processInstanceKey');
      const body = parseBody(migrateProcessInstanceBody, req.body);
      await p.submit((core) =>
        migrateInstance(core, {
          processInstanceKey: key,
          targetProcessDefinitionKey: body.targetProcessDefinitionKey,
          mappingInstructions: body.mappingInstructions,
        }),
      );
      return undefined;
    });
    const instanceSpec: SearchSpec = {
      key: 'processInstanceKey',
      dates: ['startDate', 'endDate'],
      custom: {
        variables: (row, value) => this.variableFilter(row, value),
      },
    };
    route('post', '/process-instances/search', async (req) => {
      const q = searchBody(api.queryProcessInstancesRequestBodySchema, req.body);
      const rows = await processInstances(rt, admin, byProcessInstance(q.filter));
      const or = (q.filter?.$or ?? []) as Record<string, unknown>[];
      if (q.filter?.variables || or.some((f) => f.variables))
        await this.loadVariables(rows.map((r) => r.processInstanceKey));
      try {
        return shape(api.queryProcessInstancesResponseBodySchema, search(rows, q, instanceSpec));
      } finally {
        this.variableCache = undefined;
      }
    });
    route('get', '/process-instances/:processInstanceKey', async (req) => {
      const key = pathKey(req, 'processInstanceKey');
      const [row] = await processInstances(rt, admin, { processInstanceKey: key });
      if (!row) throw notFound('Process instance', key);
      return shape(api.processInstanceSchema, row);
    });

    // Element instances -------------------------------------------------------------------------
    const elementSpec: SearchSpec = {
      key: 'elementInstanceKey',
      dates: ['startDate', 'endDate'],
      aliases: { elementInstanceScopeKey: 'flowScopeKey' },
    };
    route('post', '/element-instances/search', async (req) => {
      const q = searchBody(api.queryElementInstancesRequestBodySchema, req.body);
      const rows = await elementInstances(rt, admin, byProcessInstance(q.filter));
      return shape(api.queryElementInstancesResponseBodySchema, search(rows, q, elementSpec));
    });
    route('get', '/element-instances/:elementInstanceKey', async (req) => {
      const key = pathKey(req, 'elementInstanceKey');
      const row = (await elementInstances(rt, admin)).find((e) => e.elementInstanceKey === key);
      if (!row) throw notFound('Element instance', key);
      return shape(api.elementInstanceSchema, row);
    });

    // Variables ---------------------------------------------------------------------------------
    const variableSpec: SearchSpec = { key: 'variableKey' };
    route('post', '/variables/search', async (req) => {
      const q = searchBody(api.queryVariablesRequestBodySchema, req.body);
      const rows = await variables(rt, admin, byProcessInstance(q.filter));
      const truncate = req.query.truncateValues !== 'false';
      const found = search(rows, q, variableSpec);
      const limit = 8191;
      return shape(api.queryVariablesResponseBodySchema, {
        ...found,
        items: found.items.map((v) =>
          truncate && v.value.length > limit ? { ...v, value: v.value.slice(0, limit), isTruncated: true } : v,
        ),
      });
    });
    route('get', '/variables/:variableKey', async (req) => {
      const key = pathKey(req, 'variableKey');
      const row = (await variables(rt, admin)).find((v) => v.variableKey === key);
      if (!row) throw notFound('Variable', key);
      return shape(api.variableSchema, row);
    });

    // Incidents ---------------------------------------------------------------------------------
    const incidentSpec: SearchSpec = { key: 'incidentKey', dates: ['creationTime'] };
    route('post', '/incidents/search', async (req) => {
      const q = searchBody(api.queryIncidentsRequestBodySchema, req.body);
      const rows = await incidents(rt, admin, byProcessInstance(q.filter));
      return shape(api.queryIncidentsResponseBodySchema, search(rows, q, incidentSpec));
    });
    route('get', '/incidents/:incidentKey', async (req) => {
      const key = pathKey(req, 'incidentKey');
      const row = (await incidents(rt, admin)).find((i) => i.incidentKey === key);
      if (!row) throw notFound('Incident', key);
      return shape(api.incidentSchema, row);
    });
    route('post', '/incidents/:incidentKey/resolution', async (req) => {
      const key = pathKey(req, 'incidentKey');
      await p.submit((core) => resolveIncident(core, key));
      return undefined;
    });

    // Jobs --------------------------------------------------------------------------------------
    route('post', '/jobs/activation', (req, res) => this.activate(req, res));
    route('post', '/jobs/:jobKey/completion', async (req) => {
      const key = pathKey(req, 'jobKey');
      const body = parseBody(api.completeJobRequestBodySchema, req.body);
      if (body.result?.denied !== undefined || body.result?.corrections !== undefined)
        throw new RestError(
          400,
          'INVALID_ARGUMENT',
          'Job results (denied, corrections) apply to task listener jobs, which this engine does not run',
        );
      await p.submit((core) => completeJob(core, key, body.variables ?? {}));
      return undefined;
    });
    route('post', '/jobs/:jobKey/failure', async (req) => {
      const key = pathKey(req, 'jobKey');
      const body = parseBody(api.failJobRequestBodySchema, req.body);
      await p.submit((core) =>
        failJob(core, key, body.retries ?? 0, body.errorMessage ?? '', body.retryBackOff ?? 0, body.variables ?? {}),
      );
      return undefined;
    });
    route('post', '/jobs/:jobKey/error', async (req) => {
      const key = pathKey(req, 'jobKey');
      const body = parseBody(api.throwJobErrorRequestBodySchema, req.body);
      if (!body.errorCode)
        throw new RestError(
          400,
          'INVALID_ARGUMENT',
          "Expected to throw an error with a non-empty 'errorCode', but it was empty",
        );
      await p.submit((core) => throwError(core, key, body.errorCode, body.errorMessage ?? '', body.variables ?? {}));
      return undefined;
    });
    route('patch', '/jobs/:jobKey', async (req) => {
      const key = pathKey(req, 'jobKey');
      const { changeset } = parseBody(api.updateJobRequestBodySchema, req.body);
      if (changeset.retries === undefined && changeset.timeout === undefined)
        throw new RestError(400, 'INVALID_ARGUMENT', 'At least one of [retries, timeout] is required');
      await p.submit((core) => {
        if (changeset.retries !== undefined) updateJobRetries(core, key, changeset.retries);
        if (changeset.timeout !== undefined) updateJobTimeout(core, key, changeset.timeout);
      });
      return undefined;
    });

    // User tasks --------------------------------------------------------------------------------
    userTaskRoutes(route, rt, admin, searchBody, pathKey);

    // Messages and signals ----------------------------------------------------------------------
    route('post', '/messages/publication', async (req) => {
      const body = parseBody(
        api.publishMessageRequestBodySchema.extend({ correlationKey: z.string().optional() }),
        req.body,
      );
      checkTenant(body.tenantId);
      if (!body.name)
        throw new RestError(
          400,
          'INVALID_ARGUMENT',
          "Expected to publish a message with a non-empty 'name', but it was empty",
        );
      const r = await p.submit((core) =>
        publishMessage(core, {
          name: body.name,
          correlationKey: body.correlationKey ?? '',
          timeToLive: body.timeToLive ?? 0,
          messageId: body.messageId ?? '',
          variables: body.variables ?? {},
        }),
      );
      return shape(api.publishMessageResponseBodySchema, { messageKey: r.key, tenantId: TENANT });
    });
    route('post', '/messages/correlation', async (req) => {
      const body = parseBody(
        api.correlateMessageRequestBodySchema.extend({ correlationKey: z.string().optional() }),
        req.body,
      );
      checkTenant(body.tenantId);
      if (!body.name)
        throw new RestError(
          400,
          'INVALID_ARGUMENT',
          "Expected to correlate a message with a non-empty 'name', but it was empty",
        );
      const correlationKey = body.correlationKey ?? '';
      const r = await p.submit((core) => {
        const from = core.store.pendingRecords.length;
        const published = publishMessage(core, {
          name: body.name,
          correlationKey,
          timeToLive: 0,
          messageId: '',
          variables: body.variables ?? {},
        });
        // The first instance the message reached: a waiting subscription, else a message start.
        const fresh = core.store.pendingRecords.slice(from);
        const hit =
          fresh.find((x) => x.valueType === 'MESSAGE_SUBSCRIPTION' && x.intent === 'CORRELATED') ??
          fresh.find(
            (x) =>
              x.valueType === 'PROCESS_INSTANCE' &&
              x.intent === 'ELEMENT_ACTIVATING' &&
              (x.value as { bpmnElementType?: string }).bpmnElementType === 'PROCESS',
          );
        if (!hit?.processInstanceKey)
          throw new Rejection(
            'NOT_FOUND',
            'CORRELATE',
            `Expected to find subscription for message with name '${body.name}' and correlation key '${correlationKey}', but none was found.`,
          );
        return { messageKey: published.key, processInstanceKey: hit.processInstanceKey };
      });
      return shape(api.correlateMessageResponseBodySchema, { ...r, tenantId: TENANT });
    });
    route('post', '/signals/broadcast', async (req) => {
      const body = parseBody(api.broadcastSignalRequestBodySchema, req.body);
      checkTenant(body.tenantId);
      if (!body.signalName)
        throw new RestError(
          400,
          'INVALID_ARGUMENT',
          "Expected to broadcast a signal with a non-empty 'signalName', but it was empty",
        );
      const r = await p.submit((core) => broadcastSignal(core, body.signalName, body.variables ?? {}));
      return shape(api.broadcastSignalResponseBodySchema, { signalKey: r.key, tenantId: TENANT });
    });

    // Clock (tests) -----------------------------------------------------------------------------
    const controlled = () => {
      if (!(rt.clock instanceof ControlledClock))
        throw new RestError(
          403,
          'FORBIDDEN',
          'Expected to control the engine clock, but the engine runs on the system clock (start it with a ControlledClock)',
        );
      return rt.clock;
    };
    route('put', '/clock', (req) => {
      const { timestamp } = parseBody(api.pinClockRequestBodySchema, req.body);
      if (timestamp < 0)
        throw new RestError(
          400,
          'INVALID_ARGUMENT',
          `The value for timestamp is '${timestamp}' but must be not negative`,
        );
      controlled().freeze(timestamp);
      rt.reschedule();
      void rt.fireDue();
      return undefined;
    });
    route('post', '/clock/reset', () => {
      controlled().setTime(Date.now());
      rt.reschedule();
      void rt.fireDue();
      return undefined;
    });
  }

  private variableCache: Map<string, { name: string; value: string }[]> | undefined;

  /** Root-scope variables of the given instances, for the process-instance `variables` filter. */
  private async loadVariables(processInstanceKeys: string[]): Promise<void> {
    const keys = new Set(processInstanceKeys);
    const cache = new Map<string, { name: string; value: string }[]>();
    for (const v of await variables(this.rt, this.admin)) {
      if (!keys.has(v.processInstanceKey) || v.scopeKey !== v.processInstanceKey) continue;
      const list = cache.get(v.processInstanceKey) ?? [];
      list.push({ name: v.name, value: v.value });
      cache.set(v.processInstanceKey, list);
    }
    this.variableCache = cache;
  }

  private variableFilter(row: Record<string, unknown>, value: unknown): boolean {
    const wanted = value as { name: string; value: unknown }[];
    const vars = this.variableCache?.get(String(row.processInstanceKey)) ?? [];
    return wanted.every((w) => vars.some((v) => v.name === w.name && matchString(v.value, w.value)));
  }

  /** Job activation with long polling (`requestTimeout`: 0 = default 10 s, < 0 = answer at once). */
  private async activate(req: Request, res: Response): Promise<unknown> {
    const rt = this.rt;
    const body = parseBody(api.activateJobsRequestBodySchema, req.body);
    if (!body.type.trim())
      throw new RestError(
        400,
        'INVALID_ARGUMENT',
        "Expected to activate jobs with a non-empty 'type', but the type was empty",
      );
    if (!(body.timeout >= 1))
      throw new RestError(
        400,
        'INVALID_ARGUMENT',
        `Expected to activate jobs with a 'timeout' of at least 1 ms, but it was '${body.timeout}'`,
      );
    if (!(body.maxJobsToActivate >= 1))
      throw new RestError(
        400,
        'INVALID_ARGUMENT',
        `Expected to activate jobs with 'maxJobsToActivate' of at least 1, but it was '${body.maxJobsToActivate}'`,
      );
    for (const t of body.tenantIds ?? []) checkTenant(t);
    const request = {
      type: body.type,
      worker: body.worker ?? '',
      timeout: body.timeout,
      maxJobsToActivate: body.maxJobsToActivate,
      fetchVariable: body.fetchVariable ?? [],
    };
    const rqTimeout = body.requestTimeout ?? 0;
    const longPoll = rqTimeout >= 0;
    const answer = (jobs: ActivatedJob[]) =>
      shape(api.activateJobsResponseBodySchema.extend({ jobs: z.array(activatedJob) }), {
        jobs: jobs.map((j) => ({ ...toRestJob(j), kind: 'BPMN_ELEMENT', listenerEventType: 'UNSPECIFIED' })),
      });
    let gone = false;
    res.on('close', () => {
      gone = true;
    });
    let settle!: (jobs: ActivatedJob[]) => void;
    const delivered = new Promise<ActivatedJob[]>((r) => (settle = r));
    const t: { timer?: NodeJS.Timeout } = {};
    const poller: Poller = {
      req: request,
      deliver: (jobs) => {
        clearTimeout(t.timer);
        if (gone || res.writableEnded) return false;
        settle(jobs);
        return true;
      },
      end: () => {
        clearTimeout(t.timer);
        settle([]);
      },
    };
    const jobs = await rt.processor.submit((core) => {
      const found = activateJobs(core, request);
      if (!found.length && longPoll && !gone) rt.broker.park(poller);
      return found;
    });
    if (jobs.length) {
      if (gone) {
        rt.broker.onUndelivered(jobs.map((j) => j.key));
        return undefined;
      }
      return answer(jobs);
    }
    if (!longPoll) return answer([]);
    t.timer = setTimeout(
      () => {
        if (rt.broker.unpark(poller)) settle([]);
      },
      rqTimeout > 0 ? rqTimeout : DEFAULT_LONG_POLL_MS,
    );
    res.on('close', () => {
      if (!res.writableEnded) {
        clearTimeout(t.timer);
        if (rt.broker.unpark(poller)) settle([]);
      }
    });
    const got = await delivered;
    if (gone) {
      if (got.length) rt.broker.onUndelivered(got.map((j) => j.key));
      return undefined;
    }
    return answer(got);
  }
}

/** Reads a multipart deployment: every file part (field `resources`) and the plain fields. */
function readMultipart(
  req: Request,
): Promise<{ files: { name: string; content: Buffer }[]; fields: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    let bb: ReturnType<typeof Busboy>;
    try {
      bb = Busboy({ headers: req.headers, limits: { fileSize: 8 * 1024 * 1024 } });
    } catch (e) {
      reject(
        new RestError(
          400,
          'INVALID_ARGUMENT',
          `Expected a multipart/form-data request with the field 'resources': ${(e as Error).message}`,
        ),
      );
      return;
    }
    const files: { name: string; content: Buffer }[] = [];
    const fields: Record<string, string> = {};
    let failed: Error | undefined;
    bb.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        failed = new RestError(400, 'INVALID_ARGUMENT', `The resource '${info.filename}' is larger than 8 MiB`);
      });
      stream.on('end', () => {
        if (field === 'resources') files.push({ name: info.filename || 'resource', content: Buffer.concat(chunks) });
      });
    });
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('error', (e) =>
      reject(new RestError(400, 'INVALID_ARGUMENT', `The multipart body is malformed: ${(e as Error).message}`)),
    );
    bb.on('close', () => (failed ? reject(failed) : resolve({ files, fields })));
    req.pipe(bb);
  });
}
