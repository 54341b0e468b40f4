import type { Zeebe } from '@camunda8/sdk';
import type { Engine, Incident } from '../../engine';
import { workflowOwnedIn } from '../../domain/processes/workflow-variables';
import { HttpProblem } from '../http/problem';

type ZeebeGrpcClient = Zeebe.ZeebeGrpcClient;

/** An incident as the admin API shows it. `jobKey` is null for incidents not raised by a job. */
export interface IncidentView {
  key: string;
  errorType: string;
  errorMessage: string;
  bpmnProcessId: string;
  processDefinitionKey: string;
  processInstanceKey: string;
  elementId: string;
  elementInstanceKey: string;
  jobKey: string | null;
  createdAt: string;
}

function toView(i: Incident): IncidentView {
  return {
    key: String(i.key),
    errorType: i.errorType,
    errorMessage: i.errorMessage,
    bpmnProcessId: i.bpmnProcessId,
    processDefinitionKey: String(i.processDefinitionKey),
    processInstanceKey: String(i.processInstanceKey),
    elementId: i.elementId,
    elementInstanceKey: String(i.elementInstanceKey),
    jobKey: isJobKey(i.jobKey) ? String(i.jobKey) : null,
    createdAt: new Date(i.createdAt).toISOString(),
  };
}

const isJobKey = (k: unknown) => k != null && k !== '' && k !== '-1' && k !== '0';

/**
 * Incidents for admins. The embedded engine exports a read view (`engine.admin.incidents()`; the
 * Zeebe gateway protocol has no query), resolution goes through the SDK like any Zeebe client
 * would: set variables → give the job retries → resolve. Against a Zeebe cluster the incident list
 * lives in Camunda Operate, so both calls answer 501 pointing there.
 */
export class IncidentService {
  constructor(
    private readonly engine: Engine | undefined,
    private readonly zbc: ZeebeGrpcClient | undefined,
    private readonly operateUrl: string | undefined,
  ) {}

  list(filter: { processInstanceKey?: string } = {}): IncidentView[] {
    return this.embedded().admin.incidents(filter).map(toView);
  }

  async resolve(key: string, input: { variables?: Record<string, unknown>; retries?: number }): Promise<IncidentView> {
    const engine = this.embedded();
    const incident = engine.admin.incidents().find((i) => String(i.key) === key);
    if (!incident) throw HttpProblem.notFound(`No open incident with key ${key}.`);
    if (!this.zbc)
      throw new Error('Expected a Zeebe client in the app context to resolve incidents, but none was given');
    const view = toView(incident);
    const owned = workflowOwnedIn(input.variables ?? {});
    if (owned.length)
      throw HttpProblem.badRequest(
        `The workflow owns ${owned.join(', ')}; an incident is resolved without changing which case, department or deadline the instance works for.`,
        owned.map((k) => ({ field: `variables.${k}`, message: 'set by the workflow, not by a person' })),
      );
    try {
      if (input.variables && Object.keys(input.variables).length) {
        await this.zbc.setVariables({
          elementInstanceKey: view.elementInstanceKey,
          variables: input.variables,
          local: false,
        });
      }
      // A job incident comes back at once unless the job has retries left again.
      if (view.jobKey) await this.zbc.updateJobRetries({ jobKey: view.jobKey, retries: input.retries ?? 1 });
      await this.zbc.resolveIncident({ incidentKey: view.key });
    } catch (err: any) {
      throw grpcProblem(err, view.key);
    }
    return view;
  }

  private embedded(): Engine {
    if (this.engine) return this.engine;
    throw new HttpProblem(
      501,
      'Not Implemented',
      `This platform runs against a Zeebe cluster, whose incidents are listed and resolved in Camunda Operate${this.operateUrl ? ` at ${this.operateUrl}` : ' (set CAMUNDA_OPERATE_BASE_URL to link it here)'}.`,
      this.operateUrl ? { operateUrl: this.operateUrl } : {},
    );
  }
}

/** gRPC status → problem: the gateway's NOT_FOUND / FAILED_PRECONDITION / INVALID_ARGUMENT are the caller's. */
function grpcProblem(err: any, key: string): Error {
  const code = typeof err?.code === 'number' ? err.code : undefined;
  const message = String(err?.details ?? err?.message ?? err).trim();
  if (code === 5) return HttpProblem.notFound(`Incident ${key}: ${message}`);
  if (code === 9) return HttpProblem.conflict(`Incident ${key}: ${message}`);
  if (code === 3) return HttpProblem.badRequest(`Incident ${key}: ${message}`);
  return err instanceof Error ? err : new Error(message);
}
