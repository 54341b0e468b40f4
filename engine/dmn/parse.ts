import { DmnModdle } from 'dmn-moddle';
import { parseExpression, parseUnaryTests } from 'feelin';

/** Zeebe's hit policies (DMN 1.3), as they appear in the `hitPolicy` attribute. */
export type HitPolicy = 'UNIQUE' | 'FIRST' | 'PRIORITY' | 'ANY' | 'COLLECT' | 'RULE ORDER' | 'OUTPUT ORDER';
export type Aggregation = 'SUM' | 'MIN' | 'MAX' | 'COUNT';

export interface DecisionInput {
  id: string;
  /** The label (what Zeebe reports as `inputName`). */
  name?: string;
  expression: string;
}

export interface DecisionOutput {
  id: string;
  /** The key in a multi-output result. */
  name: string;
  label?: string;
  /** `outputValues` as FEEL unary tests, for PRIORITY and OUTPUT ORDER. */
  values?: string;
}

export interface DecisionRule {
  id: string;
  /** One unary test per input ('' or '-' matches anything). */
  inputEntries: string[];
  /** One FEEL expression per output ('' = null). */
  outputEntries: string[];
}

export interface DecisionTable {
  kind: 'DECISION_TABLE';
  hitPolicy: HitPolicy;
  aggregation?: Aggregation;
  inputs: DecisionInput[];
  outputs: DecisionOutput[];
  rules: DecisionRule[];
}

export interface LiteralExpression {
  kind: 'LITERAL_EXPRESSION';
  expression: string;
}

export interface DecisionModel {
  id: string;
  name: string;
  /** `zeebe:versionTag` in the decision's extension elements. */
  versionTag?: string;
  /** The name its result is known by in the decisions that require it (variable name, else id). */
  resultName: string;
  /** Ids of the decisions it requires (information requirements). */
  required: string[];
  logic: DecisionTable | LiteralExpression;
}

/** A parsed decision requirements graph (one `.dmn` resource). */
export interface DrgModel {
  id: string;
  name: string;
  namespace: string;
  decisions: DecisionModel[];
}

/** A DMN resource that cannot be deployed; the message follows Zeebe's (dmn-scala's) wording. */
export class DmnError extends Error {}

let moddle: DmnModdle | undefined;
const HIT_POLICIES: HitPolicy[] = ['UNIQUE', 'FIRST', 'PRIORITY', 'ANY', 'COLLECT', 'RULE ORDER', 'OUTPUT ORDER'];
const AGGREGATIONS: Aggregation[] = ['SUM', 'MIN', 'MAX', 'COUNT'];
const PARSE_CONTEXT = { 'is defined': true, 'get or else': true, 'from json': true, 'to json': true };

/**
 * The model namespaces of DMN 1.1, 1.2, 1.4 and 1.5. dmn-moddle reads DMN 1.3; the elements the
 * engine executes (decisions, decision tables, literal expressions, information requirements) are
 * the same in every version, so other versions are read as 1.3 (Zeebe's parser reads 1.1–1.5).
 */
const OTHER_DMN_NAMESPACES = [
  'http://www.omg.org/spec/DMN/20151101/dmn.xsd',
  'http://www.omg.org/spec/DMN/20180521/MODEL/',
  'https://www.omg.org/spec/DMN/20211108/MODEL/',
  'https://www.omg.org/spec/DMN/20230324/MODEL/',
];
const DMN13 = 'https://www.omg.org/spec/DMN/20191111/MODEL/';

/** Parses a `.dmn` document (DMN 1.1–1.5 via dmn-moddle); throws DmnError. */
export async function parseDmn(xml: string): Promise<DrgModel> {
  moddle ??= new DmnModdle();
  for (const ns of OTHER_DMN_NAMESPACES) xml = xml.split(`"${ns}"`).join(`"${DMN13}"`);
  let defs: any;
  try {
    const result = await moddle.fromXML(xml, 'dmn:Definitions');
    defs = result.rootElement;
    const unknown = result.warnings.find((w) => /unparsable content|unknown type/i.test(w.message));
    if (unknown) throw new Error(unknown.message);
  } catch (e) {
    throw new DmnError(`Failed to parse the DMN XML: ${(e as Error).message}`, { cause: e });
  }
  if (!defs || defs.$type !== 'dmn:Definitions')
    throw new DmnError("Failed to parse the DMN XML: the document's root element is not 'definitions'");
  if (!defs.id) throw new DmnError("Expected the DMN definitions to have an 'id', but it has none");
  const decisions: DecisionModel[] = [];
  for (const el of defs.drgElement ?? []) {
    if (el.$type !== 'dmn:Decision') continue; // input data, knowledge sources: documentation only
    decisions.push(decision(el));
  }
  if (!decisions.length)
    throw new DmnError(`Expected the DRG '${defs.id}' to contain at least one decision, but none found`);
  const ids = new Set<string>();
  for (const d of decisions) {
    if (ids.has(d.id))
      throw new DmnError(`Expected the decision ids to be unique, but found a duplicated id '${d.id}'`);
    ids.add(d.id);
  }
  for (const d of decisions) {
    for (const r of d.required)
      if (!ids.has(r))
        throw new DmnError(
          `Decision '${d.id}' requires the decision '${r}', but no decision with this id is in the DRG`,
        );
  }
  checkCycles(decisions);
  return { id: defs.id, name: defs.name ?? defs.id, namespace: defs.namespace ?? '', decisions };
}

function decision(el: any): DecisionModel {
  const id: string = el.id;
  if (!id) throw new DmnError("Expected every decision to have an 'id', but one has none");
  const required = (el.informationRequirement ?? [])
    .map((ir: any) => ir.requiredDecision?.href as string | undefined)
    .filter((h: string | undefined): h is string => !!h)
    .map((h: string) => h.replace(/^.*#/, ''));
  const versionTagEl = (el.extensionElements?.values ?? []).find((v: any) => /(^|:)versionTag$/.test(v.$type));
  const versionTag = versionTagEl ? (versionTagEl.value ?? versionTagEl.$attrs?.value) : undefined;
  const logic = el.decisionLogic;
  const base = {
    id,
    name: el.name ?? id,
    versionTag: versionTag || undefined,
    resultName: el.variable?.name ?? id,
    required,
  };
  if (logic?.$type === 'dmn:LiteralExpression') {
    const text = (logic.text ?? '').trim();
    checkExpression(id, text || 'null');
    return { ...base, logic: { kind: 'LITERAL_EXPRESSION', expression: text || 'null' } };
  }
  if (logic?.$type !== 'dmn:DecisionTable')
    throw new DmnError(
      `Expected the decision '${id}' to be a decision table or a literal expression, but it is ${logic ? `a '${String(logic.$type).replace('dmn:', '')}'` : 'empty'}`,
    );
  const hitPolicy = (logic.hitPolicy ?? 'UNIQUE') as HitPolicy;
  if (!HIT_POLICIES.includes(hitPolicy))
    throw new DmnError(`Decision '${id}': the hit policy '${hitPolicy}' is not supported`);
  const aggregation = logic.aggregation as Aggregation | undefined;
  if (aggregation && !AGGREGATIONS.includes(aggregation))
    throw new DmnError(`Decision '${id}': the aggregation '${aggregation}' is not supported`);
  if (aggregation && hitPolicy !== 'COLLECT')
    throw new DmnError(`Decision '${id}': an aggregation is only allowed with the hit policy 'COLLECT'`);
  const inputs: DecisionInput[] = (logic.input ?? []).map((i: any, n: number) => {
    const text = (i.inputExpression?.text ?? '').trim();
    if (!text) throw new DmnError(`Decision '${id}': input ${n + 1} has no input expression`);
    checkExpression(id, text);
    return { id: i.id ?? `input${n + 1}`, name: i.label ?? undefined, expression: text };
  });
  const rawOutputs: any[] = logic.output ?? [];
  if (!rawOutputs.length) throw new DmnError(`Decision '${id}': the decision table has no output`);
  if (aggregation && rawOutputs.length > 1)
    throw new DmnError(
      `Decision '${id}': the aggregation '${aggregation}' needs a decision table with exactly one output, but it has ${rawOutputs.length}`,
    );
  const outputs: DecisionOutput[] = rawOutputs.map((o: any, n: number) => {
    const name = o.name ?? (rawOutputs.length === 1 ? (o.label ?? o.id) : undefined);
    if (!name) throw new DmnError(`Decision '${id}': output ${n + 1} of a multi-output table needs a 'name'`);
    const values = (o.outputValues?.text ?? '').trim() || undefined;
    if (values) checkUnaryTests(id, values);
    return { id: o.id ?? `output${n + 1}`, name, label: o.label ?? undefined, values };
  });
  if ((hitPolicy === 'PRIORITY' || hitPolicy === 'OUTPUT ORDER') && !outputs.some((o) => o.values))
    throw new DmnError(`Decision '${id}': the hit policy '${hitPolicy}' needs output values on at least one output`);
  const rules: DecisionRule[] = (logic.rule ?? []).map((r: any, n: number) => {
    const inputEntries = (r.inputEntry ?? []).map((e: any) => (e.text ?? '').trim());
    const outputEntries = (r.outputEntry ?? []).map((e: any) => (e.text ?? '').trim());
    if (inputEntries.length !== inputs.length)
      throw new DmnError(
        `Decision '${id}': rule ${n + 1} has ${inputEntries.length} input entries, but the table has ${inputs.length} inputs`,
      );
    if (outputEntries.length !== outputs.length)
      throw new DmnError(
        `Decision '${id}': rule ${n + 1} has ${outputEntries.length} output entries, but the table has ${outputs.length} outputs`,
      );
    for (const e of inputEntries) if (e && e !== '-') checkUnaryTests(id, e);
    for (const e of outputEntries) if (e) checkExpression(id, e);
    return { id: r.id ?? `${id}_rule_${n + 1}`, inputEntries, outputEntries };
  });
  return { ...base, logic: { kind: 'DECISION_TABLE', hitPolicy, aggregation, inputs, outputs, rules } };
}

function syntaxError(tree: { iterate(spec: { enter(node: any): boolean | void }): void }): number | null {
  let at: number | null = null;
  tree.iterate({
    enter(node) {
      if (at !== null) return false;
      if (node.type.isError) {
        at = node.from;
        return false;
      }
      return undefined;
    },
  });
  return at;
}

function checkExpression(decisionId: string, text: string): void {
  let at: number | null;
  try {
    at = syntaxError(parseExpression(text, PARSE_CONTEXT, undefined));
  } catch {
    at = 0;
  }
  if (at !== null)
    throw new DmnError(
      `Decision '${decisionId}': FEEL expression: failed to parse expression '${text}' (syntax error at position ${at})`,
    );
}

function checkUnaryTests(decisionId: string, text: string): void {
  let at: number | null;
  try {
    at = syntaxError(parseUnaryTests(text, PARSE_CONTEXT, undefined));
  } catch {
    at = 0;
  }
  if (at !== null)
    throw new DmnError(
      `Decision '${decisionId}': FEEL unary-tests: failed to parse expression '${text}' (syntax error at position ${at})`,
    );
}

function checkCycles(decisions: DecisionModel[]): void {
  const byId = new Map(decisions.map((d) => [d.id, d]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (d: DecisionModel, path: string[]) => {
    if (state.get(d.id) === 'done') return;
    if (state.get(d.id) === 'visiting')
      throw new DmnError(
        `Expected the decision requirements to be acyclic, but found the cycle ${[...path, d.id].join(' -> ')}`,
      );
    state.set(d.id, 'visiting');
    for (const r of d.required) visit(byId.get(r)!, [...path, d.id]);
    state.set(d.id, 'done');
  };
  for (const d of decisions) visit(d, []);
}
