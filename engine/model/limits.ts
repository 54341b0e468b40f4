import { Parser } from 'saxen';

/**
 * Structure limits a BPMN model must keep before the engine does any expensive work with it (the
 * moddle parse, the model walk, FEEL compilation). Checked at deploy by one streaming pass of
 * `saxen` (a loop, no recursion), which stops at the first limit exceeded: a model nesting 2,000
 * subprocesses is refused in milliseconds and can never exhaust the stack of a recursive walk.
 */
export interface ModelLimits {
  /** Size of one resource in bytes (UTF-8). Zeebe's default message size is 4 MB. */
  maxXmlBytes: number;
  /** How deep subprocesses (embedded, event, transaction, ad-hoc) may be nested in each other. */
  maxSubprocessDepth: number;
  /** How deep XML elements may be nested at all (guards every recursive consumer of the tree). */
  maxXmlDepth: number;
  /** BPMN semantic elements (the diagram interchange part is not counted) in one resource. */
  maxElements: number;
  /** Characters of one expression (an attribute or text starting with `=`, or a condition). */
  maxExpressionLength: number;
}

export const DEFAULT_MODEL_LIMITS: Readonly<ModelLimits> = Object.freeze({
  maxXmlBytes: 4 * 1024 * 1024,
  maxSubprocessDepth: 32,
  maxXmlDepth: 128,
  maxElements: 10_000,
  maxExpressionLength: 10_000,
});

/** The environment variable of each limit (read by the platform and `npm run engine`). */
export const MODEL_LIMIT_ENV: Readonly<Record<keyof ModelLimits, string>> = Object.freeze({
  maxXmlBytes: 'ENGINE_MAX_XML_BYTES',
  maxSubprocessDepth: 'ENGINE_MAX_SUBPROCESS_DEPTH',
  maxXmlDepth: 'ENGINE_MAX_XML_DEPTH',
  maxElements: 'ENGINE_MAX_ELEMENTS',
  maxExpressionLength: 'ENGINE_MAX_EXPRESSION_LENGTH',
});

const BPMN_MODEL_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
const SUBPROCESS = new Set(['bpmn:subProcess', 'bpmn:transaction', 'bpmn:adHocSubProcess']);
/** Elements whose text is an expression even without a leading `=`. */
const EXPRESSION_TEXT = new Set([
  'bpmn:conditionExpression',
  'bpmn:completionCondition',
  'bpmn:timeDate',
  'bpmn:timeDuration',
  'bpmn:timeCycle',
]);

/** A limit exceeded: which one, by what value. */
export class ModelLimitError extends Error {
  constructor(
    readonly limit: keyof ModelLimits,
    readonly value: number,
    readonly max: number,
    what: string,
  ) {
    super(`${what} ${value}, over the limit of ${max} (${limit}, ${MODEL_LIMIT_ENV[limit]})`);
    this.name = 'ModelLimitError';
  }
}

/** Merges overrides onto the defaults; rejects a limit that is not a positive whole number. */
export function resolveModelLimits(overrides: Partial<ModelLimits> = {}): ModelLimits {
  const limits = { ...DEFAULT_MODEL_LIMITS };
  for (const [k, v] of Object.entries(overrides) as [keyof ModelLimits, number | undefined][]) {
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v <= 0)
      throw new Error(`model limit ${k} must be a positive whole number, but was ${v}`);
    limits[k] = v;
  }
  return limits;
}

/** The size limit alone (cheap: no scan), checked before the text is handed to the parser. */
export function checkXmlSize(xml: string, limits: ModelLimits = DEFAULT_MODEL_LIMITS): void {
  const bytes = Buffer.byteLength(xml, 'utf8');
  if (bytes > limits.maxXmlBytes)
    throw new ModelLimitError('maxXmlBytes', bytes, limits.maxXmlBytes, 'The resource has a size in bytes of');
}

/**
 * Throws ModelLimitError for the first limit the XML exceeds. Malformed XML is left to the real
 * parser (its message is the better one); only what was scanned up to the error is checked.
 */
export function checkModelLimits(xml: string, limits: ModelLimits = DEFAULT_MODEL_LIMITS): void {
  checkXmlSize(xml, limits);

  let elements = 0;
  /** For each open element: is it a subprocess, and does its text count as an expression. */
  const stack: { sub: boolean; exprText: boolean }[] = [];
  let subDepth = 0;
  let found: ModelLimitError | undefined;
  const parser = new Parser();
  parser.ns({ [BPMN_MODEL_NS]: 'bpmn' });
  const fail = (e: ModelLimitError) => {
    found ??= e;
    parser.stop();
  };
  const checkExpr = (text: string) => {
    if (text.length > limits.maxExpressionLength && (text.trimStart().startsWith('=') || stack.at(-1)?.exprText))
      fail(
        new ModelLimitError(
          'maxExpressionLength',
          text.length,
          limits.maxExpressionLength,
          'An expression has a length in characters of',
        ),
      );
  };
  parser.on('openTag', (name: string, attrs: () => Record<string, string>) => {
    if (found) return;
    const bpmn = name.startsWith('bpmn:');
    if (bpmn && ++elements > limits.maxElements)
      return fail(
        new ModelLimitError(
          'maxElements',
          elements,
          limits.maxElements,
          "The model's count of elements reaches at least",
        ),
      );
    const sub = SUBPROCESS.has(name);
    if (sub && subDepth + 1 > limits.maxSubprocessDepth)
      return fail(
        new ModelLimitError(
          'maxSubprocessDepth',
          subDepth + 1,
          limits.maxSubprocessDepth,
          'The model nests subprocesses to a depth of at least',
        ),
      );
    if (stack.length + 1 > limits.maxXmlDepth)
      return fail(
        new ModelLimitError(
          'maxXmlDepth',
          stack.length + 1,
          limits.maxXmlDepth,
          'The XML nests elements to a depth of at least',
        ),
      );
    for (const v of Object.values(attrs())) if (typeof v === 'string') checkExpr(v);
    if (found) return;
    // saxen emits closeTag for a self-closing element too, so every element is pushed and popped.
    if (sub) subDepth++;
    stack.push({ sub, exprText: EXPRESSION_TEXT.has(name) });
  });
  parser.on('closeTag', () => {
    const top = stack.pop();
    if (top?.sub) subDepth--;
  });
  parser.on('text', (text: string, decode: (s: string) => string) => {
    if (!found && text.length > limits.maxExpressionLength) checkExpr(decode(text));
  });
  parser.on('cdata', (text: string) => {
    if (!found) checkExpr(text);
  });
  parser.on('error', () => parser.stop());
  parser.parse(xml);
  if (found) throw found;
}
