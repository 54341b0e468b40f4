/** The Camunda Forms (Chinese labels) of every user task, written to processes/forms/<id>.form. */

type Component = Record<string, unknown>;
let seq = 0;
const fid = () => `Field_${(++seq).toString(36).padStart(4, '0')}`;

const text = (t: string): Component => ({ type: 'text', text: t });
const field = (type: string, key: string, label: string, extra: Component = {}): Component => ({
  type,
  key,
  label,
  ...extra,
});
const required = { validate: { required: true } };
const opts = (pairs: [string, string][]) => pairs.map(([value, label]) => ({ label, value }));
const hideUnless = (cond: string) => ({ conditional: { hide: `=not(${cond})` } });

const outcome = (accept: string) =>
  field('select', 'handlingOutcome', '办理意见', {
    ...required,
    defaultValue: 'handled',
    values: opts([
      ['handled', accept],
      ['returned', '退回矛调中心（退单）'],
    ]),
  });
const returnReason = field('textarea', 'returnReason', '退单理由', {
  ...hideUnless('handlingOutcome = "returned"'),
  validate: { required: true },
});

const header = (title: string) => text(`#### ${title}\n工单 {{caseNo}}：{{description}}`);

const DEPARTMENTS: Record<string, string> = {
  planning: '自然资源和规划分局',
  market: '区市场监督管理局',
  enforcement: '区综合行政执法局',
  'fire-rescue': '消防救援大队',
  'hr-social': '区人力资源和社会保障局',
  environment: '生态环境分局',
  tax: '区税务局',
  justice: '区司法局',
  property: '物业服务企业',
  petition: '区信访局',
  'government-office': '区政府办公室',
  'traffic-police': '交警大队',
  transport: '区交通运输局',
  'public-security': '公安分局',
  economy: '区经济和信息化局',
  commerce: '区商务局',
  health: '区卫生健康局',
  housing: '区住房和城乡建设局',
  water: '区水利局',
};
const deptOptions = (codes: string[]) => opts(codes.map((c) => [c, DEPARTMENTS[c] ?? c]));

export const FORMS: Record<string, { title: string; components: Component[] }> = {
  'case-dispatch': {
    title: '分拨确认',
    components: [
      header('分拨确认（智能分类置信度不足或被退回）'),
      field('select', 'dispatchAction', '处理方式', {
        ...required,
        defaultValue: 'dispatch',
        values: opts([
          ['dispatch', '确认/纠正分类后分拨'],
          ['merge', '重复诉求，并单'],
        ]),
      }),
      field('select', 'confirmedSituationId', '问题情形（候选）', {
        valuesKey: 'candidateOptions',
        searchable: true,
        ...hideUnless('dispatchAction = "dispatch"'),
      }),
      field('textfield', 'correctedSituationId', '或填写情形编码（纠正分类）', {
        ...hideUnless('dispatchAction = "dispatch"'),
      }),
      field('textfield', 'mergeInto', '并入工单编号', { ...hideUnless('dispatchAction = "merge"') }),
      field('textarea', 'dispatchNote', '分拨说明'),
    ],
  },
  'case-lead': {
    title: '牵头部门办理',
    components: [
      header('牵头部门办理'),
      outcome('受理并办理'),
      returnReason,
      field('textarea', 'leadOpinion', '办理意见'),
    ],
  },
  'case-collaborate': {
    title: '协办',
    components: [
      header('协办部门办理'),
      text('本部门：{{collaborator}}'),
      field('textarea', 'collabOpinion', '协办意见', required),
    ],
  },
  'case-consolidate': {
    title: '汇总办理结果',
    components: [header('汇总各部门办理结果'), field('textarea', 'handlingResult', '办理结果', required)],
  },
  'case-reply': {
    title: '答复群众',
    components: [
      header('答复群众'),
      text('办理结果：{{handlingResult}}'),
      field('textarea', 'replyText', '答复内容', required),
    ],
  },
  'housing-assess': {
    title: '商品房品质问题研判',
    components: [
      header('商品房品质问题研判'),
      outcome('受理，组织联合处置'),
      returnReason,
      field('select', 'stageCode', '所处阶段', {
        values: opts([
          ['HQ-S1', '规划与预售'],
          ['HQ-S2', '主体施工'],
          ['HQ-S3', '装饰装修'],
          ['HQ-S4', '交付与售后'],
        ]),
      }),
      field('checklist', 'chosenCollaborators', '协办部门', {
        values: deptOptions([
          'planning',
          'market',
          'enforcement',
          'fire-rescue',
          'hr-social',
          'environment',
          'tax',
          'justice',
          'property',
          'petition',
        ]),
        ...hideUnless('handlingOutcome = "handled"'),
      }),
      field('textarea', 'assessOpinion', '研判意见'),
    ],
  },
  'rd-accept': {
    title: '研发服务申请受理',
    components: [
      header('企业新产品研发服务申请'),
      outcome('受理，启动并联办理'),
      returnReason,
      field('textfield', 'enterpriseName', '企业名称'),
      field('textarea', 'applicationSummary', '申请事项摘要'),
    ],
  },
  'rd-part': {
    title: '并联办理',
    components: [
      header('部门并联办理'),
      text('本部门：{{collaborator}}'),
      field('select', 'partResult', '办理结论', {
        ...required,
        values: opts([
          ['support', '支持'],
          ['conditional', '有条件支持'],
          ['reject', '不予支持'],
        ]),
      }),
      field('textarea', 'partOpinion', '部门意见', required),
    ],
  },
  'pollution-inspect': {
    title: '污染源现场核查',
    components: [
      header('固定污染源现场核查'),
      outcome('受理并核查'),
      returnReason,
      field('checkbox', 'violationFound', '存在违法排污'),
      field('number', 'rectifyDays', '整改期限（工作日）', {
        ...hideUnless('violationFound = true'),
        validate: { min: 1, max: 60 },
      }),
      field('textarea', 'inspectionFindings', '核查情况', required),
    ],
  },
  reinspection: {
    title: '整改复查',
    components: [
      header('整改复查'),
      field('checkbox', 'rectified', '整改到位'),
      field('textarea', 'reinspectFindings', '复查情况', required),
    ],
  },
  'enforcement-action': {
    title: '执法处置',
    components: [
      header('综合执法处置'),
      field('textfield', 'penaltyDecision', '处罚决定书文号'),
      field('textarea', 'handlingResult', '处置结果', required),
    ],
  },
  'hazmat-assess': {
    title: '危化品隐患研判',
    components: [
      header('危化品储运隐患/警情研判'),
      outcome('受理，启动联动处置'),
      returnReason,
      field('select', 'severity', '风险等级', {
        values: opts([
          ['general', '一般'],
          ['major', '较大'],
          ['serious', '重大'],
        ]),
      }),
      field('checklist', 'chosenCollaborators', '联动部门', {
        values: deptOptions([
          'government-office',
          'traffic-police',
          'fire-rescue',
          'environment',
          'transport',
          'public-security',
          'market',
          'economy',
          'commerce',
          'health',
          'housing',
          'planning',
          'water',
          'enforcement',
        ]),
        ...hideUnless('handlingOutcome = "handled"'),
      }),
      field('textarea', 'assessOpinion', '研判意见'),
    ],
  },
  'hazmat-inspect': {
    title: '风险点检查',
    components: [
      text('#### 危化品风险点检查\n风险点：{{riskPoint.code}} {{riskPoint.name}}（{{riskPoint.scene}}）'),
      field('checkbox', 'hazardFound', '发现隐患'),
      field('number', 'rectifyDays', '整改期限（工作日）', {
        ...hideUnless('hazardFound = true'),
        validate: { min: 1, max: 30 },
      }),
      field('textarea', 'findings', '检查情况', required),
    ],
  },
  'fire-lane-onsite': {
    title: '消防通道现场处置',
    components: [
      text('#### 消防通道现场处置\n车牌 {{plate}}，位置 {{laneName}}'),
      field('select', 'onSiteResult', '处置结果', {
        ...required,
        values: opts([
          ['driven-away', '车辆已驶离'],
          ['towed', '已拖移'],
          ['ticketed', '已贴单告知'],
        ]),
      }),
      field('textarea', 'onSiteNote', '现场情况'),
    ],
  },
  'fire-lane-unknown-plate': {
    title: '消防通道占用（车主不明）物业核查',
    components: [
      text(
        '#### 消防通道占用：无法通过车牌联系车主\n车牌 {{plate}}（{{unknownReason}}），位置 {{laneName}}。请物业到场核查、联系车主或组织挪车。',
      ),
      field('select', 'propertyResult', '处置结果', {
        ...required,
        values: opts([
          ['owner-contacted', '已联系车主挪车'],
          ['driven-away', '车辆已驶离'],
          ['towed', '已拖移'],
          ['not-found', '现场未见车辆'],
        ]),
      }),
      field('textfield', 'identifiedPlate', '核实后的车牌（如可辨认）'),
      field('textarea', 'propertyNote', '现场情况'),
    ],
  },
  'sla-supervise': {
    title: '督办',
    components: [
      text(
        '#### 红牌督办\n工单 {{caseNo}} 的“{{slaStepName}}”环节（{{slaDepartment}}）已超期，到期时间 {{slaDueAt}}。',
      ),
      field('textarea', 'supervisionComment', '督办意见（催办内容）', required),
    ],
  },
  'sla-escalated': {
    title: '提级协调',
    components: [
      text(
        '#### 提级办理\n工单 {{caseNo}} 的“{{slaStepName}}”环节（{{slaDepartment}}）督办后仍未办结，提级至区政府办公室协调。',
      ),
      field('textarea', 'coordinationResult', '协调意见', required),
    ],
  },
};

/** The keys of the fields of one form (nested components included), in form order. */
export function formFieldKeys(id: string): string[] {
  const f = FORMS[id];
  if (!f) throw new Error(`Expected a form ${id} in processes/tools/forms.ts, but there is none`);
  const out: string[] = [];
  const walk = (list: Component[] | undefined) => {
    for (const c of list ?? []) {
      if (typeof c.key === 'string') out.push(c.key);
      walk(c.components as Component[] | undefined);
    }
  };
  walk(f.components);
  return out;
}

/** The Camunda Forms JSON of one form. */
export function buildForm(id: string): string {
  const f = FORMS[id];
  seq = 0;
  const components = f.components.map((c, i) => ({
    ...c,
    id: `${id.replace(/[^a-z0-9]/gi, '_')}_${fid()}`,
    layout: { row: `Row_${i}`, columns: null },
  }));
  return `${JSON.stringify(
    {
      components,
      type: 'default',
      id,
      name: f.title,
      executionPlatform: 'Camunda Cloud',
      executionPlatformVersion: '8.8.0',
      exporter: { name: 'OneMatter model generator', version: '1' },
      schemaVersion: 18,
    },
    null,
    2,
  )}\n`;
}
