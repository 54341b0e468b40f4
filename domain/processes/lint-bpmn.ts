/**
 * Server-side model lint: bpmnlint with `plugin:camunda-compat/camunda-cloud-8-8` (what the Desktop
 * and Web Modeler check before deploying to Camunda 8.8), over the model parsed with the Zeebe
 * extensions. Results are per element, errors and warnings apart.
 */
import { BpmnModdle } from 'bpmn-moddle';
import { checkModelLimits, ModelLimitError, resolveModelLimits, type ModelLimits } from '../../engine';
import { LintPool } from './lint-pool';

/* eslint-disable @typescript-eslint/no-require-imports */
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');
const zeebeSchema = require('zeebe-bpmn-moddle/resources/zeebe.json');
/* eslint-enable @typescript-eslint/no-require-imports */

export const LINT_CONFIG = 'plugin:camunda-compat/camunda-cloud-8-8';

/** The Camunda Modeler's namespace (execution platform attributes on the definitions). */
const MODELER_NS = {
  name: 'Modeler',
  prefix: 'modeler',
  uri: 'http://camunda.org/schema/modeler/1.0',
  types: [
    {
      name: 'Definitions',
      isAbstract: true,
      extends: ['bpmn:Definitions'],
      properties: [
        { name: 'executionPlatform', isAttr: true, type: 'String' },
        { name: 'executionPlatformVersion', isAttr: true, type: 'String' },
      ],
    },
  ],
};

export interface LintResult {
  rule: string;
  elementId: string;
  message: string;
  category: 'error' | 'warn' | 'info';
}

export interface LintReport {
  /**
   * The model is over one of the engine's structure limits (checked first, by one streaming pass):
   * nothing else was parsed or linted. Names the limit and the value.
   */
  limitError?: { limit: keyof ModelLimits; value: number; max: number; message: string };
  /** The XML does not parse: nothing else could be checked. */
  parseError?: string;
  errors: LintResult[];
  warnings: LintResult[];
  /** Ids of the executable processes in the model. */
  processIds: string[];
}

/**
 * Lints a model: the engine's structure limits first (one streaming pass), then bpmnlint. Runs on
 * a worker thread (lint-pool.ts), so a large model never holds the server's event loop.
 */
export function lintBpmn(xml: string, limits: Partial<ModelLimits> = {}): Promise<LintReport> {
  lintPool ??= new LintPool(lintBpmnHere);
  return lintPool.run(xml, limits);
}
let lintPool: LintPool | undefined;

/** The lint itself, on the calling thread (the worker's body; the fallback where no worker loads). */
export async function lintBpmnHere(xml: string, limits: Partial<ModelLimits> = {}): Promise<LintReport> {
  try {
    checkModelLimits(xml, resolveModelLimits(limits));
  } catch (err) {
    if (!(err instanceof ModelLimitError)) throw err;
    return {
      limitError: { limit: err.limit, value: err.value, max: err.max, message: err.message },
      errors: [],
      warnings: [],
      processIds: [],
    };
  }
  const moddle = new BpmnModdle({ zeebe: zeebeSchema, modeler: MODELER_NS });
  let parsed: { rootElement: any; warnings: { message: string }[] };
  try {
    parsed = (await moddle.fromXML(xml)) as any;
  } catch (err) {
    return { parseError: (err as Error).message, errors: [], warnings: [], processIds: [] };
  }
  const root = parsed.rootElement;
  if (!root || root.$type !== 'bpmn:Definitions')
    return {
      parseError: 'Expected a BPMN 2.0 <definitions> document, but the root element is something else',
      errors: [],
      warnings: [],
      processIds: [],
    };
  const linter = new Linter({ config: { extends: LINT_CONFIG }, resolver: new NodeResolver() });
  const reports: Record<string, { id: string; message: string; category: string }[]> = await linter.lint(root);
  const all: LintResult[] = Object.entries(reports).flatMap(([rule, list]) =>
    list.map((r) => ({
      rule,
      elementId: r.id ?? '',
      message: r.message,
      category: (r.category === 'error' ? 'error' : r.category === 'warn' ? 'warn' : 'info') as LintResult['category'],
    })),
  );
  for (const w of parsed.warnings ?? []) all.push({ rule: 'xml', elementId: '', message: w.message, category: 'warn' });
  const processIds = (root.rootElements ?? [])
    .filter((e: any) => e.$type === 'bpmn:Process')
    .map((e: any) => String(e.id));
  return {
    errors: all.filter((r) => r.category === 'error'),
    warnings: all.filter((r) => r.category !== 'error'),
    processIds,
  };
}
