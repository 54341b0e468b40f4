/**
 * A small model builder for the scenario BPMN files: elements are placed on a grid (column, row) of
 * their container, columns and rows grow to fit what they hold (an expanded subprocess widens its
 * column), so shapes never overlap by construction; sequence flows get orthogonal waypoints. The
 * output is a plain Zeebe BPMN document with diagram interchange (DI) that bpmn-js opens as laid out.
 *
 * The generated files in processes/ are the source of truth once written; re-running the generator
 * (`npx tsx processes/tools/generate.ts`) overwrites them from processes/tools/models/.
 */

export type NodeType =
  | 'startEvent'
  | 'endEvent'
  | 'intermediateCatchEvent'
  | 'boundaryEvent'
  | 'serviceTask'
  | 'userTask'
  | 'scriptTask'
  | 'callActivity'
  | 'subProcess'
  | 'exclusiveGateway'
  | 'parallelGateway'
  | 'eventBasedGateway';

export interface NodeSpec {
  id: string;
  type: NodeType;
  name?: string;
  col: number;
  row: number;
  /** Extra attributes on the element (e.g. `default`, `triggeredByEvent`). */
  attrs?: Record<string, string>;
  /** Content of `<bpmn:extensionElements>`. */
  ext?: string;
  /** Inner XML after the extension elements (event definitions, loop characteristics). */
  body?: string;
  /** Subprocess content. */
  children?: NodeSpec[];
  flows?: FlowSpec[];
  /** Boundary events: the host and whether it interrupts. */
  attachedTo?: string;
  cancelActivity?: boolean;
}

export interface FlowSpec {
  id: string;
  from: string;
  to: string;
  name?: string;
  /** FEEL condition (with the leading `=`). */
  condition?: string;
  /** How a backward flow goes round: below (default) or above the shapes between. */
  loop?: 'below' | 'above';
}

export interface MessageSpec {
  id: string;
  name: string;
  correlationKey?: string;
}

export interface ProcessSpec {
  id: string;
  name: string;
  documentation?: string;
  nodes: NodeSpec[];
  flows: FlowSpec[];
  messages?: MessageSpec[];
}

const SIZE: Record<NodeType, { w: number; h: number }> = {
  startEvent: { w: 36, h: 36 },
  endEvent: { w: 36, h: 36 },
  intermediateCatchEvent: { w: 36, h: 36 },
  boundaryEvent: { w: 36, h: 36 },
  serviceTask: { w: 100, h: 80 },
  userTask: { w: 100, h: 80 },
  scriptTask: { w: 100, h: 80 },
  callActivity: { w: 100, h: 80 },
  subProcess: { w: 0, h: 0 },
  exclusiveGateway: { w: 50, h: 50 },
  parallelGateway: { w: 50, h: 50 },
  eventBasedGateway: { w: 50, h: 50 },
};

const COL_MIN = 150;
const ROW_MIN = 130;
const SUB_PAD_X = 30;
const SUB_PAD_TOP = 30;
const SUB_PAD_BOTTOM = 40;

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
const cx = (b: Box) => b.x + b.w / 2;
const cy = (b: Box) => b.y + b.h / 2;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The natural size of a node; a subprocess is as large as its grid. */
function measure(n: NodeSpec): { w: number; h: number } {
  if (n.type !== 'subProcess') return SIZE[n.type];
  const grid = gridOf(n.children ?? []);
  return { w: grid.width + 2 * SUB_PAD_X, h: grid.height + SUB_PAD_TOP + SUB_PAD_BOTTOM };
}

function gridOf(nodes: NodeSpec[]) {
  const cols: number[] = [];
  const rows: number[] = [];
  for (const n of nodes) {
    if (n.type === 'boundaryEvent') continue;
    const s = measure(n);
    cols[n.col] = Math.max(cols[n.col] ?? COL_MIN, s.w + 50);
    rows[n.row] = Math.max(rows[n.row] ?? ROW_MIN, s.h + 50);
  }
  for (let i = 0; i < cols.length; i++) cols[i] ??= COL_MIN;
  for (let i = 0; i < rows.length; i++) rows[i] ??= ROW_MIN;
  const width = cols.reduce((a, b) => a + b, 0);
  const height = rows.reduce((a, b) => a + b, 0);
  return { cols, rows, width, height };
}

/** Absolute boxes of every node (recursively), keyed by id. */
function place(nodes: NodeSpec[], originX: number, originY: number, boxes: Map<string, Box>): void {
  const g = gridOf(nodes);
  const colX = (c: number) => originX + g.cols.slice(0, c).reduce((a, b) => a + b, 0);
  const rowY = (r: number) => originY + g.rows.slice(0, r).reduce((a, b) => a + b, 0);
  for (const n of nodes) {
    if (n.type === 'boundaryEvent') continue;
    const s = measure(n);
    const x = Math.round(colX(n.col) + (g.cols[n.col] - s.w) / 2);
    const y = Math.round(rowY(n.row) + (g.rows[n.row] - s.h) / 2);
    boxes.set(n.id, { x, y, w: s.w, h: s.h });
    if (n.type === 'subProcess') place(n.children ?? [], x + SUB_PAD_X, y + SUB_PAD_TOP, boxes);
  }
  // Boundary events sit on the bottom edge of their host, right to left.
  const perHost = new Map<string, number>();
  for (const n of nodes) {
    if (n.type !== 'boundaryEvent') continue;
    const host = boxes.get(n.attachedTo!);
    if (!host) throw new Error(`Expected host ${n.attachedTo} of boundary event ${n.id} in the same container`);
    const i = perHost.get(n.attachedTo!) ?? 0;
    perHost.set(n.attachedTo!, i + 1);
    boxes.set(n.id, { x: host.x + host.w - 26 - i * 46 - 18, y: host.y + host.h - 18, w: 36, h: 36 });
  }
}

function isGateway(t: NodeType) {
  return t === 'exclusiveGateway' || t === 'parallelGateway' || t === 'eventBasedGateway';
}

function route(f: FlowSpec, s: Box, t: Box, sType: NodeType, tType: NodeType): [number, number][] {
  const pts: [number, number][] = [];
  const right = (b: Box) => b.x + b.w;
  if (sType === 'boundaryEvent') {
    const toRight = cx(t) > cx(s);
    pts.push([cx(s), s.y + s.h], [cx(s), cy(t)], [toRight ? t.x : right(t), cy(t)]);
    return pts;
  }
  if (cx(t) > cx(s) && f.loop === undefined) {
    if (Math.abs(cy(s) - cy(t)) < 1)
      return [
        [right(s), cy(s)],
        [t.x, cy(t)],
      ];
    if (isGateway(sType)) {
      const down = cy(t) > cy(s);
      return [
        [cx(s), down ? s.y + s.h : s.y],
        [cx(s), cy(t)],
        [t.x, cy(t)],
      ];
    }
    if (isGateway(tType)) {
      const down = cy(t) > cy(s);
      return [
        [right(s), cy(s)],
        [cx(t), cy(s)],
        [cx(t), down ? t.y : t.y + t.h],
      ];
    }
    const mid = Math.round((right(s) + t.x) / 2);
    return [
      [right(s), cy(s)],
      [mid, cy(s)],
      [mid, cy(t)],
      [t.x, cy(t)],
    ];
  }
  // Backward (or forced) loops go round below or above both shapes.
  if (f.loop === 'above') {
    const y = Math.min(s.y, t.y) - 25;
    return [
      [cx(s), s.y],
      [cx(s), y],
      [cx(t), y],
      [cx(t), t.y],
    ];
  }
  const y = Math.max(s.y + s.h, t.y + t.h) + 25;
  return [
    [cx(s), s.y + s.h],
    [cx(s), y],
    [cx(t), y],
    [cx(t), t.y + t.h],
  ];
}

function nodeXml(n: NodeSpec, indent: string): string {
  const attrs = Object.entries(n.attrs ?? {})
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join('');
  const name = n.name ? ` name="${esc(n.name)}"` : '';
  const boundary =
    n.type === 'boundaryEvent'
      ? ` attachedToRef="${n.attachedTo}"${n.cancelActivity === false ? ' cancelActivity="false"' : ''}`
      : '';
  const inner: string[] = [];
  if (n.ext) inner.push(`${indent}  <bpmn:extensionElements>${n.ext}</bpmn:extensionElements>`);
  if (n.body) inner.push(`${indent}  ${n.body}`);
  if (n.type === 'subProcess') {
    for (const c of n.children ?? []) inner.push(nodeXml(c, `${indent}  `));
    for (const f of n.flows ?? []) inner.push(flowXml(f, `${indent}  `));
  }
  const open = `${indent}<bpmn:${n.type} id="${n.id}"${name}${boundary}${attrs}`;
  return inner.length ? `${open}>\n${inner.join('\n')}\n${indent}</bpmn:${n.type}>` : `${open} />`;
}

function flowXml(f: FlowSpec, indent: string): string {
  const name = f.name ? ` name="${esc(f.name)}"` : '';
  const head = `${indent}<bpmn:sequenceFlow id="${f.id}"${name} sourceRef="${f.from}" targetRef="${f.to}"`;
  if (!f.condition) return `${head} />`;
  return `${head}>\n${indent}  <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${esc(f.condition)}</bpmn:conditionExpression>\n${indent}</bpmn:sequenceFlow>`;
}

function allNodes(nodes: NodeSpec[]): NodeSpec[] {
  return nodes.flatMap((n) => [n, ...allNodes(n.children ?? [])]);
}
function allFlows(nodes: NodeSpec[], flows: FlowSpec[]): FlowSpec[] {
  return [...flows, ...nodes.flatMap((n) => allFlows(n.children ?? [], n.flows ?? []))];
}

/** Builds the BPMN XML (semantics + DI) of one process. */
export function buildBpmn(p: ProcessSpec): string {
  const boxes = new Map<string, Box>();
  place(p.nodes, 160, 80, boxes);
  const nodes = allNodes(p.nodes);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const flows = allFlows(p.nodes, p.flows);
  for (const f of flows) {
    if (!byId.has(f.from) || !byId.has(f.to))
      throw new Error(`Expected flow ${f.id} to connect known elements, but ${f.from} → ${f.to}`);
  }
  const shapes = nodes.map((n) => {
    const b = boxes.get(n.id)!;
    const expanded = n.type === 'subProcess' ? ' isExpanded="true"' : '';
    return `      <bpmndi:BPMNShape id="${n.id}_di" bpmnElement="${n.id}"${expanded}>\n        <dc:Bounds x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" />\n      </bpmndi:BPMNShape>`;
  });
  const edges = flows.map((f) => {
    const pts = route(f, boxes.get(f.from)!, boxes.get(f.to)!, byId.get(f.from)!.type, byId.get(f.to)!.type);
    const wps = pts.map(([x, y]) => `        <di:waypoint x="${Math.round(x)}" y="${Math.round(y)}" />`).join('\n');
    return `      <bpmndi:BPMNEdge id="${f.id}_di" bpmnElement="${f.id}">\n${wps}\n      </bpmndi:BPMNEdge>`;
  });
  const messages = (p.messages ?? []).map((m) =>
    m.correlationKey
      ? `  <bpmn:message id="${m.id}" name="${esc(m.name)}">\n    <bpmn:extensionElements><zeebe:subscription correlationKey="${esc(m.correlationKey)}" /></bpmn:extensionElements>\n  </bpmn:message>`
      : `  <bpmn:message id="${m.id}" name="${esc(m.name)}" />`,
  );
  const doc = p.documentation ? `\n    <bpmn:documentation>${esc(p.documentation)}</bpmn:documentation>` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="defs_${p.id}" targetNamespace="https://onematter.example/bpmn" exporter="OneMatter model generator" exporterVersion="1" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.8.0">
  <bpmn:process id="${p.id}" name="${esc(p.name)}" isExecutable="true">${doc}
${p.nodes.map((n) => nodeXml(n, '    ')).join('\n')}
${p.flows.map((f) => flowXml(f, '    ')).join('\n')}
  </bpmn:process>
${messages.join('\n')}
  <bpmndi:BPMNDiagram id="${p.id}_diagram">
    <bpmndi:BPMNPlane id="${p.id}_plane" bpmnElement="${p.id}">
${shapes.join('\n')}
${edges.join('\n')}
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;
}
