/**
 * Chinese SMS templates with named parameters. The body is what carriers deliver after the signature
 * 【sign】; provider templates (Aliyun's `${plate}`) must have the same variables. Parameters are
 * validated before anything is queued: a missing or unknown parameter is a modelling error and should
 * surface as an incident, not as a half-filled SMS to a citizen.
 */

export interface SmsTemplate {
  code: string;
  /** What the template is for (shown in the UI). */
  title: string;
  /** The signature carriers show as 【sign】. */
  sign: string;
  /** Body with `{name}` placeholders. */
  body: string;
  /** Per-parameter maximum length; Aliyun limits most variables to 35 characters. */
  params: Record<string, { maxLength: number; description: string }>;
}

const p = (description: string, maxLength = 35) => ({ description, maxLength });

export const SMS_TEMPLATES = {
  'fire-lane.notice': {
    code: 'fire-lane.notice',
    title: '消防通道占用告知',
    sign: '江北消防',
    body: '您的车辆{plate}停放在{lane}消防通道，请于{minutes}分钟内驶离。消防通道是生命通道，感谢您的配合。',
    params: { plate: p('车牌号', 12), lane: p('消防通道位置'), minutes: p('驶离期限（分钟）', 4) },
  },
  'fire-lane.warning': {
    code: 'fire-lane.warning',
    title: '消防通道占用警告',
    sign: '江北消防',
    body: '您的车辆{plate}仍停放在{lane}消防通道，已超过{minutes}分钟。请立即驶离，逾期将由执法人员现场处置。',
    params: { plate: p('车牌号', 12), lane: p('消防通道位置'), minutes: p('已停放时长（分钟）', 4) },
  },
  'fire-lane.penalty': {
    code: 'fire-lane.penalty',
    title: '消防通道多次占用处罚告知',
    sign: '江北消防',
    body: '您的车辆{plate}在{days}天内第{count}次占用消防通道（{lane}），已移送执法部门依法处罚。消防通道是生命通道，请勿占用。',
    params: { plate: p('车牌号', 12), days: p('统计天数', 4), count: p('占用次数', 4), lane: p('消防通道位置') },
  },
  'fire-lane.credit': {
    code: 'fire-lane.credit',
    title: '消防通道多次占用纳入信用记录',
    sign: '江北消防',
    body: '您的车辆{plate}在{days}天内第{count}次占用消防通道（{lane}），已依法处罚并纳入失信记录。消防通道是生命通道，请勿占用。',
    params: { plate: p('车牌号', 12), days: p('统计天数', 4), count: p('占用次数', 4), lane: p('消防通道位置') },
  },
  'case.accepted': {
    code: 'case.accepted',
    title: '受理回执',
    sign: '江北区矛调中心',
    body: '您反映的问题已受理，受理编号{caseNo}，我们将在{days}个工作日内答复。可凭编号查询办理进度。',
    params: { caseNo: p('受理编号', 32), days: p('答复期限（工作日）', 3) },
  },
  'case.replied': {
    code: 'case.replied',
    title: '办理答复',
    sign: '江北区矛调中心',
    body: '您反映的问题（编号{caseNo}）已由{department}办理答复，请凭编号查看答复内容，并对办理结果进行评价。',
    params: { caseNo: p('受理编号', 32), department: p('承办部门') },
  },
  'staff.yellow-card': {
    code: 'staff.yellow-card',
    title: '黄牌预警（工作人员）',
    sign: '江北区督办',
    body: '黄牌预警：{department}承办的工单{caseNo}（{step}）将于{dueAt}到期，请抓紧办理。',
    params: { department: p('承办部门'), caseNo: p('工单编号', 32), step: p('办理环节'), dueAt: p('到期时间', 20) },
  },
  'staff.red-card': {
    code: 'staff.red-card',
    title: '红牌督办（工作人员）',
    sign: '江北区督办',
    body: '红牌督办：{department}承办的工单{caseNo}（{step}）已于{dueAt}超期，已报送督办，请立即处置并反馈。',
    params: { department: p('承办部门'), caseNo: p('工单编号', 32), step: p('办理环节'), dueAt: p('到期时间', 20) },
  },
  'reporter.verify': {
    code: 'reporter.verify',
    title: '个人信息查询验证码',
    sign: '江北区矛调中心',
    body: '您的验证码为{code}，10分钟内有效，用于导出或删除您反映问题时留下的个人信息。如非本人操作，请忽略本短信。',
    params: { code: p('验证码', 6) },
  },
  'supervision.notice': {
    code: 'supervision.notice',
    title: '督办通知',
    sign: '江北区督办',
    body: '督办通知：工单{caseNo}已列入督办，事由：{reason}。请于{deadline}前反馈办理情况。',
    params: { caseNo: p('工单编号', 32), reason: p('督办事由'), deadline: p('反馈期限', 20) },
  },
} as const satisfies Record<string, SmsTemplate>;

export type SmsTemplateCode = keyof typeof SMS_TEMPLATES;
export type SmsParams = Record<string, string | number>;

/** Thrown for an unknown template or bad parameters; a business failure, not worth retrying. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

export function getTemplate(code: string): SmsTemplate {
  const t = (SMS_TEMPLATES as Record<string, SmsTemplate>)[code];
  if (!t)
    throw new TemplateError(
      `Expected an SMS template code (${Object.keys(SMS_TEMPLATES).join(', ')}), but got "${code}"`,
    );
  return t;
}

/** Validates parameters and renders the full SMS text including the 【signature】. */
export function renderTemplate(code: string, params: Record<string, unknown>): { text: string; params: SmsParams } {
  const template = getTemplate(code);
  if (params == null || typeof params !== 'object' || Array.isArray(params)) {
    throw new TemplateError(
      `Expected params for template "${code}" to be an object, but got ${JSON.stringify(params)}`,
    );
  }
  const unknown = Object.keys(params).filter((k) => !(k in template.params));
  if (unknown.length)
    throw new TemplateError(
      `Expected only params ${Object.keys(template.params).join(', ')} for template "${code}", but got ${unknown.join(', ')}`,
    );
  const clean: SmsParams = {};
  for (const [name, spec] of Object.entries(template.params)) {
    const value = params[name];
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
      throw new TemplateError(
        `Expected param "${name}" (${spec.description}) of template "${code}" to be a string or number, but got ${JSON.stringify(value)}`,
      );
    }
    const s = String(value).trim();
    if (s === '')
      throw new TemplateError(`Expected param "${name}" (${spec.description}) of template "${code}" to be non-empty`);
    if ([...s].length > spec.maxLength) {
      throw new TemplateError(
        `Expected param "${name}" of template "${code}" to have at most ${spec.maxLength} characters, but got ${[...s].length}`,
      );
    }
    if (/[\r\n【】{}]/.test(s))
      throw new TemplateError(`Expected param "${name}" of template "${code}" without line breaks, 【】 or braces`);
    clean[name] = typeof value === 'number' ? value : s;
  }
  const body = template.body.replace(/\{(\w+)\}/g, (_m, name: string) => String(clean[name]));
  return { text: `【${template.sign}】${body}`, params: clean };
}
