import type { ZeebeJob } from '@camunda8/sdk/dist/zeebe/types';
import type { CatalogData } from '../../domain/catalog/catalog-types';
import { Classifier } from '../../domain/classify/classifier';
import { classifyCase, handler, taskType, type CaseClassifyInput } from '../../workers/case-classify';
import { loadSampleCatalog } from './fixtures';

/** A job as the SDK hands it to a handler, recording the outcome the handler chose. */
function fakeJob(variables: CaseClassifyInput, retries = 3) {
  const outcome: { completed?: unknown; failed?: unknown } = {};
  const job = {
    key: '2251799813685249',
    type: taskType,
    variables,
    retries,
    complete: async (v: unknown) => {
      outcome.completed = v;
      return 'JOB_ACTION_ACKNOWLEDGEMENT' as const;
    },
    fail: async (f: unknown) => {
      outcome.failed = f;
      return 'JOB_ACTION_ACKNOWLEDGEMENT' as const;
    },
  } as unknown as ZeebeJob<CaseClassifyInput>;
  return { job, outcome };
}

describe('case.classify worker', () => {
  let catalog: CatalogData;
  let classifier: Classifier;

  beforeAll(async () => {
    catalog = await loadSampleCatalog();
    classifier = new Classifier(catalog);
  });

  it('exports its task type', () => {
    expect(taskType).toBe('case.classify');
  });

  it('classifies a clear fire-lane report and dispatches it automatically', () => {
    // given a district that dispatches at confidence 0.7
    const confident = new Classifier(catalog, [], { confidenceThreshold: 0.7 });
    // when
    const out = classifyCase(
      { caseId: 'c-1', description: '消防通道上停了好几辆私家车，消防车根本开不进来' },
      confident,
    );
    // then
    expect(out.autoDispatch).toBe(true);
    expect(out.classification).toEqual({
      situationId: 'C05-M01-S01',
      matterId: 'C05-M01',
      categoryId: 'C05',
      scenario: 'fire-lane',
      leadDepartment: 'fire-rescue',
      collaborators: ['property', 'traffic-police'],
      confidence: expect.any(Number),
    });
    expect(out.classification!.confidence).toBeGreaterThanOrEqual(0.7);
    expect(out.candidates).toHaveLength(5);
  });

  it('leaves an ambiguous report to the mediation-centre clerk with the top candidates', () => {
    const out = classifyCase({ caseId: 'c-2', description: '小区里太吵了' }, classifier);
    expect(out.autoDispatch).toBe(false);
    expect(out.candidates.length).toBeGreaterThanOrEqual(3);
  });

  it('sends an empty description to the clerk without candidates', () => {
    expect(classifyCase({ caseId: 'c-3' }, classifier)).toEqual({
      classification: null,
      candidates: [],
      autoDispatch: false,
    });
  });

  it('is idempotent: a re-delivered job completes with the same variables', async () => {
    const ctx = { classification: { current: async () => classifier } };
    const a = fakeJob({ caseId: 'c-4', description: '公司三个月没发工资了' });
    const b = fakeJob({ caseId: 'c-4', description: '公司三个月没发工资了' });
    await handler(a.job, ctx);
    await handler(b.job, ctx);
    expect(a.outcome.completed).toEqual(b.outcome.completed);
    expect(a.outcome.completed).toMatchObject({
      classification: { situationId: 'C08-M01-S01', leadDepartment: 'hr-social' },
    });
  });

  it('fails the job with a retry back-off when the classifier cannot be loaded', async () => {
    const ctx = {
      classification: {
        current: async (): Promise<Classifier> => {
          throw new Error('connection refused');
        },
      },
    };
    const { job, outcome } = fakeJob({ caseId: 'c-5', description: 'x' }, 3);
    await handler(job, ctx);
    expect(outcome.completed).toBeUndefined();
    expect(outcome.failed).toEqual({
      errorMessage: expect.stringMatching(/case c-5.*connection refused/),
      retries: 2,
      retryBackOff: 5000,
    });
  });
});
