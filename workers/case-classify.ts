/**
 * Job worker for `case.classify` (case-intake process): ranks catalog situations for the case's
 * description and decides whether the case can be dispatched without a clerk.
 *
 * Input variables: `description` (the reporter's text), `caseId`.
 * Output variables: `classification` (the top candidate with routing and confidence, or null when
 * the catalog cannot place the text), `candidates` (top 5, for the mediation-centre task) and
 * `autoDispatch` (confidence ≥ threshold). Idempotent: the same text against the same catalog
 * gives the same variables, so a re-delivered job completes identically.
 */
import type { ZeebeJob } from '@camunda8/sdk/dist/zeebe/types';
import type { Classifier } from '../domain/classify/classifier';
import { toCaseClassification, type CaseClassification } from '../domain/classify/classification-service';

export const taskType = 'case.classify';

export interface CaseClassifyInput {
  caseId?: string;
  description?: string;
  [key: string]: unknown;
}

export interface CandidateVariable {
  situationId: string;
  matterId: string;
  categoryId: string;
  scenario: string | null;
  leadDepartment: string;
  collaborators: string[];
  name: string;
  score: number;
}

export interface CaseClassifyOutput {
  classification: CaseClassification | null;
  candidates: CandidateVariable[];
  autoDispatch: boolean;
  [key: string]: unknown;
}

/** Where the worker gets the current classifier (ClassificationService satisfies it). */
export interface CaseClassifyContext {
  classification: { current(): Promise<Classifier> };
}

/** The worker's decision as a pure function of its input and the classifier. */
export function classifyCase(input: CaseClassifyInput, classifier: Classifier): CaseClassifyOutput {
  const text = typeof input.description === 'string' ? input.description.trim() : '';
  if (text === '') return { classification: null, candidates: [], autoDispatch: false };
  const result = classifier.classify(text, 5);
  const top = result.candidates[0];
  return {
    classification: top ? toCaseClassification(top, result.confidence) : null,
    candidates: result.candidates.map((c) => ({ ...c, collaborators: [...c.collaborators] })),
    autoDispatch: result.autoDispatch,
  };
}

/**
 * The SDK handler: completes the job with the classification, or fails it (with a retry back-off)
 * when the classifier cannot be loaded — a technical error, not a business outcome.
 */
export async function handler(job: Readonly<ZeebeJob<CaseClassifyInput>>, ctx: CaseClassifyContext) {
  let output: CaseClassifyOutput;
  try {
    output = classifyCase(job.variables, await ctx.classification.current());
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return job.fail({
      errorMessage: `Expected to classify case ${job.variables.caseId ?? '(no caseId)'}, but: ${message}`,
      retries: Math.max(0, job.retries - 1),
      retryBackOff: 5000,
    });
  }
  return job.complete(JSON.parse(JSON.stringify(output)));
}
