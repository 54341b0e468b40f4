/** The five one-matter scenario models besides the one window (DOMAIN.md, "Scenarios to ship"). */
import type { ProcessSpec } from './bpmn-builder';
import { chain, flow, io, message, slaStep, taskDef, timerCycle, timerDate, timerDuration } from './snippets';

const collaboratorsMI = (local: string) => ({
  collection: '=collaborators',
  element: 'collaborator',
  outputCollection: 'collaboratorOpinions',
  outputElement: `={department: collaborator, opinion: ${local}}`,
});

/** 商品房品质监管: the lead department decides which departments assist; joint handling; consolidated answer. */
export const housingQuality: ProcessSpec = {
  id: 'housing-quality',
  name: '商品房品质监管一件事',
  nodes: [
    { id: 'start', type: 'startEvent', name: '业主投诉直达牵头部门', col: 0, row: 0 },
    slaStep({ id: 'assessStep', name: '牵头研判', taskId: 'assess', taskName: '牵头部门研判（选定协办部门）', col: 1, row: 0, department: '=leadDepartment', hours: '=8', formId: 'housing-assess' }),
    { id: 'returned', type: 'exclusiveGateway', name: '退单？', col: 2, row: 0, attrs: { default: 'f_returned_no' } },
    { id: 'endReturned', type: 'endEvent', name: '退回矛调中心', col: 3, row: 1 },
    { id: 'assign', type: 'serviceTask', name: '确定协办部门', col: 3, row: 0, ext: taskDef('case.assign-collaborators') },
    slaStep({
      id: 'jointStep', name: '联合处置', taskId: 'jointHandle', taskName: '协办部门联合处置', col: 4, row: 0,
      department: '=collaborator', hours: '=slaWorkingHours', formId: 'case-collaborate', locals: ['collabOpinion'], multiInstance: collaboratorsMI('collabOpinion'),
    }),
    slaStep({ id: 'consolidateStep', name: '汇总答复意见', taskId: 'consolidate', taskName: '牵头部门汇总处置结果', col: 5, row: 0, department: '=leadDepartment', hours: '=8', formId: 'case-consolidate' }),
    { id: 'end', type: 'endEvent', name: '处置完成', col: 6, row: 0 },
  ],
  flows: [
    ...chain('start', 'assessStep', 'returned'),
    flow('f_returned_yes', 'returned', 'endReturned', { name: '退单', condition: '=handlingOutcome = "returned"' }),
    flow('f_returned_no', 'returned', 'assign', { name: '受理' }),
    ...chain('assign', 'jointStep', 'consolidateStep', 'end'),
  ],
};

/** 企业新产品研发服务: the enterprise applies once; economy leads; science, market and tax in parallel; one answer. */
export const newProductRd: ProcessSpec = {
  id: 'new-product-rd',
  name: '企业新产品研发服务一件事',
  nodes: [
    { id: 'start', type: 'startEvent', name: '企业一次申请', col: 0, row: 0 },
    slaStep({ id: 'acceptStep', name: '受理申请', taskId: 'rdAccept', taskName: '经信局受理研发服务申请', col: 1, row: 0, department: '=leadDepartment', hours: '=8', formId: 'rd-accept' }),
    { id: 'returned', type: 'exclusiveGateway', name: '受理？', col: 2, row: 0, attrs: { default: 'f_returned_no' } },
    { id: 'endReturned', type: 'endEvent', name: '退回', col: 3, row: 1 },
    slaStep({
      id: 'partStep', name: '并联办理', taskId: 'rdPart', taskName: '部门并联办理', col: 3, row: 0,
      department: '=collaborator', hours: '=slaWorkingHours', formId: 'rd-part', locals: ['partOpinion'], multiInstance: collaboratorsMI('partOpinion'),
    }),
    slaStep({ id: 'answerStep', name: '一次性答复', taskId: 'rdConsolidate', taskName: '经信局汇总一次性答复', col: 4, row: 0, department: '=leadDepartment', hours: '=8', formId: 'case-consolidate' }),
    { id: 'end', type: 'endEvent', name: '服务完成', col: 5, row: 0 },
  ],
  flows: [
    ...chain('start', 'acceptStep', 'returned'),
    flow('f_returned_yes', 'returned', 'endReturned', { name: '退单', condition: '=handlingOutcome = "returned"' }),
    flow('f_returned_no', 'returned', 'partStep', { name: '受理' }),
    ...chain('partStep', 'answerStep', 'end'),
  ],
};

/** 固定污染源治理: inspection → rectification notice with a deadline → re-inspection → penalty or close. */
export const pollutionSource: ProcessSpec = {
  id: 'pollution-source',
  name: '固定污染源治理一件事',
  messages: [{ id: 'msg_rectified', name: 'pollution.rectified', correlationKey: '=caseId' }],
  nodes: [
    { id: 'start', type: 'startEvent', name: '投诉或监测超标', col: 0, row: 0 },
    slaStep({ id: 'inspectStep', name: '现场核查', taskId: 'inspect', taskName: '生态环境分局现场核查', col: 1, row: 0, department: '=leadDepartment', hours: '=slaWorkingHours', formId: 'pollution-inspect' }),
    { id: 'finding', type: 'exclusiveGateway', name: '核查结论', col: 2, row: 0, attrs: { default: 'f_finding_none' } },
    { id: 'endReturned', type: 'endEvent', name: '退回矛调中心', col: 3, row: 2 },
    { id: 'endNoViolation', type: 'endEvent', name: '未发现违法', col: 3, row: 1 },
    { id: 'notice', type: 'serviceTask', name: '下达整改通知（期限）', col: 3, row: 0, ext: taskDef('rectification.notice') },
    { id: 'awaitRectify', type: 'eventBasedGateway', name: '等待整改', col: 4, row: 0 },
    { id: 'rectified', type: 'intermediateCatchEvent', name: '企业报告整改完成', col: 5, row: 0, body: message('msg_rectified') },
    { id: 'deadline', type: 'intermediateCatchEvent', name: '整改期限届满', col: 5, row: 1, body: timerDate('=date and time(rectifyDeadline)') },
    slaStep({ id: 'reinspectStep', name: '复查', taskId: 'reinspect', taskName: '整改复查', col: 6, row: 0, department: '=leadDepartment', hours: '=16', formId: 'reinspection' }),
    { id: 'passed', type: 'exclusiveGateway', name: '整改到位？', col: 7, row: 0, attrs: { default: 'f_passed_no' } },
    { id: 'endRectified', type: 'endEvent', name: '整改到位', col: 9, row: 0 },
    slaStep({ id: 'penaltyStep', name: '立案处罚', taskId: 'penalize', taskName: '综合执法立案处罚', col: 8, row: 1, department: '="enforcement"', hours: '=40', formId: 'enforcement-action' }),
    { id: 'endPenalized', type: 'endEvent', name: '依法处罚', col: 9, row: 1 },
  ],
  flows: [
    ...chain('start', 'inspectStep', 'finding'),
    flow('f_finding_returned', 'finding', 'endReturned', { name: '退单', condition: '=handlingOutcome = "returned"' }),
    flow('f_finding_violation', 'finding', 'notice', { name: '存在违法', condition: '=violationFound = true' }),
    flow('f_finding_none', 'finding', 'endNoViolation', { name: '未发现' }),
    ...chain('notice', 'awaitRectify', 'rectified', 'reinspectStep'),
    flow('f_await_deadline', 'awaitRectify', 'deadline'),
    flow('f_deadline_reinspect', 'deadline', 'reinspectStep'),
    flow('f_reinspect_passed', 'reinspectStep', 'passed'),
    flow('f_passed_yes', 'passed', 'endRectified', { name: '是', condition: '=rectified = true' }),
    flow('f_passed_no', 'passed', 'penaltyStep', { name: '否' }),
    flow('f_penalty_end', 'penaltyStep', 'endPenalized'),
  ],
};

/**
 * 危化品储运安全风险隐患治理: (a) a report or alarm → emergency-management lead, linked departments in
 * parallel, conclusion; (b) the periodic risk-point inspection round (timer start): every risk point
 * inspected in parallel, hazards get a rectification deadline and a re-inspection.
 */
export const hazmatTransport: ProcessSpec = {
  id: 'hazmat-transport',
  name: '危化品储运安全风险隐患治理一件事',
  messages: [{ id: 'msg_hz_rectified', name: 'hazmat.rectified', correlationKey: '=riskKey' }],
  nodes: [
    { id: 'start', type: 'startEvent', name: '隐患报告或报警', col: 0, row: 0 },
    slaStep({ id: 'assessStep', name: '应急研判', taskId: 'hazAssess', taskName: '应急管理局研判（确定联动部门）', col: 1, row: 0, department: '=leadDepartment', hours: '=4', formId: 'hazmat-assess' }),
    { id: 'returned', type: 'exclusiveGateway', name: '退单？', col: 2, row: 0, attrs: { default: 'f_returned_no' } },
    { id: 'endReturned', type: 'endEvent', name: '退回矛调中心', col: 3, row: 1 },
    { id: 'assign', type: 'serviceTask', name: '确定联动部门', col: 3, row: 0, ext: taskDef('case.assign-collaborators') },
    slaStep({
      id: 'linkedStep', name: '联动处置', taskId: 'hazLinked', taskName: '联动部门处置', col: 4, row: 0,
      department: '=collaborator', hours: '=slaWorkingHours', formId: 'case-collaborate', locals: ['collabOpinion'], multiInstance: collaboratorsMI('collabOpinion'),
    }),
    slaStep({ id: 'concludeStep', name: '汇总处置结果', taskId: 'hazConclude', taskName: '应急管理局汇总', col: 5, row: 0, department: '=leadDepartment', hours: '=8', formId: 'case-consolidate' }),
    { id: 'end', type: 'endEvent', name: '处置完成', col: 6, row: 0 },

    { id: 'roundStart', type: 'startEvent', name: '每周风险点巡查', col: 0, row: 2, body: timerCycle('0 0 9 ? * MON') },
    { id: 'openRound', type: 'serviceTask', name: '生成巡查批次', col: 1, row: 2, ext: taskDef('hazmat.open-round') },
    {
      id: 'riskPointCheck', type: 'subProcess', name: '风险点检查（逐点并行）', col: 2, row: 2,
      ext: io([['riskKey', '=caseId + ":" + riskPoint.code'], ['hazardFound', '=null'], ['findings', '=null'], ['reinspectFindings', '=null'], ['rectified', '=null'], ['rectifyDays', '=null'], ['rectifyDeadline', '=null']]),
      body: '<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=riskPoints" inputElement="riskPoint" outputCollection="riskPointResults" outputElement="={code: riskPoint.code, hazardFound: hazardFound, rectified: rectified}" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>',
      children: [
        { id: 'rpStart', type: 'startEvent', col: 0, row: 0 },
        slaStep({ id: 'rpInspectStep', name: '检查', taskId: 'rpInspect', taskName: '风险点检查', col: 1, row: 0, department: '=riskPoint.department', hours: '=16', formId: 'hazmat-inspect' }),
        { id: 'rpHazard', type: 'exclusiveGateway', name: '发现隐患？', col: 2, row: 0, attrs: { default: 'f_rp_ok' } },
        { id: 'rpOk', type: 'endEvent', name: '无隐患', col: 3, row: 1 },
        { id: 'rpNotice', type: 'serviceTask', name: '下达整改期限', col: 3, row: 0, ext: taskDef('rectification.notice') },
        { id: 'rpAwait', type: 'eventBasedGateway', col: 4, row: 0 },
        { id: 'rpRectified', type: 'intermediateCatchEvent', name: '整改完成', col: 5, row: 0, body: message('msg_hz_rectified') },
        { id: 'rpDeadline', type: 'intermediateCatchEvent', name: '整改期满', col: 5, row: 1, body: timerDate('=date and time(rectifyDeadline)') },
        slaStep({ id: 'rpReinspectStep', name: '复查', taskId: 'rpReinspect', taskName: '隐患整改复查', col: 6, row: 0, department: '=riskPoint.department', hours: '=16', formId: 'reinspection' }),
        { id: 'rpPassed', type: 'exclusiveGateway', name: '整改到位？', col: 7, row: 0, attrs: { default: 'f_rp_failed' } },
        { id: 'rpFixed', type: 'endEvent', name: '隐患消除', col: 9, row: 0 },
        slaStep({ id: 'rpEnforceStep', name: '执法', taskId: 'rpEnforce', taskName: '逾期未改执法处置', col: 8, row: 1, department: '="enforcement"', hours: '=40', formId: 'enforcement-action' }),
        { id: 'rpEnforced', type: 'endEvent', name: '执法处置', col: 9, row: 1 },
      ],
      flows: [
        ...chain('rpStart', 'rpInspectStep', 'rpHazard'),
        flow('f_rp_hazard', 'rpHazard', 'rpNotice', { name: '是', condition: '=hazardFound = true' }),
        flow('f_rp_ok', 'rpHazard', 'rpOk', { name: '否' }),
        ...chain('rpNotice', 'rpAwait', 'rpRectified', 'rpReinspectStep', 'rpPassed'),
        flow('f_rp_await_deadline', 'rpAwait', 'rpDeadline'),
        flow('f_rp_deadline_reinspect', 'rpDeadline', 'rpReinspectStep'),
        flow('f_rp_fixed', 'rpPassed', 'rpFixed', { name: '是', condition: '=rectified = true' }),
        flow('f_rp_failed', 'rpPassed', 'rpEnforceStep', { name: '否' }),
        flow('f_rp_enforced', 'rpEnforceStep', 'rpEnforced'),
      ],
    },
    { id: 'closeRound', type: 'serviceTask', name: '巡查批次办结', col: 3, row: 2, ext: taskDef('hazmat.close-round') },
    { id: 'roundEnd', type: 'endEvent', name: '本轮巡查结束', col: 4, row: 2 },
  ],
  flows: [
    ...chain('start', 'assessStep', 'returned'),
    flow('f_returned_yes', 'returned', 'endReturned', { name: '退单', condition: '=handlingOutcome = "returned"' }),
    flow('f_returned_no', 'returned', 'assign', { name: '受理' }),
    ...chain('assign', 'linkedStep', 'concludeStep', 'end'),
    ...chain('roundStart', 'openRound', 'riskPointCheck', 'closeRound', 'roundEnd'),
  ],
};

/**
 * 消防通道堵塞治理: camera event → owner look-up → notice SMS → repeat-offence count (penalty notice
 * SMS from the 3rd offence in 90 days) → lane cleared (message) or grace timer → warning SMS +
 * on-site task → close. An unreadable or unregistered plate goes to a property-management task
 * instead. Workers: `vehicle.lookup`, `sms.notify`, `fire-lane.offence` (processes/README.md).
 */
export const fireLane: ProcessSpec = {
  id: 'fire-lane',
  name: '消防通道堵塞治理一件事',
  messages: [{ id: 'msg_cleared', name: 'fire-lane.cleared', correlationKey: '=caseId' }],
  nodes: [
    { id: 'detected', type: 'startEvent', name: '摄像头发现占道', col: 0, row: 0 },
    {
      id: 'lookup', type: 'serviceTask', name: '车牌查车主', col: 1, row: 0,
      ext: `${taskDef('vehicle.lookup')}${io([['plate', '=plate']], [['vehicleOwner', '=vehicleOwner'], ['unknownPlate', '=unknownPlate'], ['unknownReason', '=unknownReason']])}`,
    },
    { id: 'plateKnown', type: 'exclusiveGateway', name: '查到车主？', col: 2, row: 0, attrs: { default: 'f_plateKnown_yes' } },
    {
      id: 'notice', type: 'serviceTask', name: '短信告知车主', col: 3, row: 0,
      ext: `${taskDef('sms.notify', { template: 'fire-lane.notice' })}${io([
        ['notification', '={to: vehicleOwner.phone, key: caseId + ":notice", params: {plate: plate, lane: laneName, minutes: string(graceMinutes)}}'],
      ])}`,
    },
    {
      id: 'offence', type: 'serviceTask', name: '重复占道计数', col: 4, row: 0,
      ext: `${taskDef('fire-lane.offence')}${io([], [['offenceNo', '=offenceNo'], ['penaltyNotice', '=penaltyNotice'], ['creditFlagged', '=creditFlagged'], ['penaltyTemplate', '=penaltyTemplate'], ['repeatDays', '=repeatDays']])}`,
    },
    { id: 'repeat', type: 'exclusiveGateway', name: '多次占道？', col: 5, row: 0, attrs: { default: 'f_repeat_no' } },
    {
      id: 'penaltySms', type: 'serviceTask', name: '处罚告知短信', col: 6, row: 1,
      ext: `${taskDef('sms.notify')}${io([
        ['notification', '={to: vehicleOwner.phone, key: caseId + ":penalty", template: penaltyTemplate, params: {plate: plate, days: string(repeatDays), count: string(offenceNo), lane: laneName}}'],
      ])}`,
    },
    { id: 'repeatJoin', type: 'exclusiveGateway', col: 7, row: 0 },
    { id: 'awaitCleared', type: 'eventBasedGateway', name: '等待驶离', col: 8, row: 0 },
    { id: 'cleared', type: 'intermediateCatchEvent', name: '通道已畅通', col: 9, row: 0, body: message('msg_cleared') },
    { id: 'closeCleared', type: 'serviceTask', name: '自动办结', col: 10, row: 0, ext: taskDef('case.close', { event: 'fire-lane.cleared' }) },
    { id: 'endCleared', type: 'endEvent', name: '车主自行驶离', col: 13, row: 0 },
    { id: 'graceOver', type: 'intermediateCatchEvent', name: '宽限期满', col: 9, row: 2, body: timerDuration('=graceDuration') },
    {
      id: 'warning', type: 'serviceTask', name: '警告短信', col: 10, row: 2,
      ext: `${taskDef('sms.notify', { template: 'fire-lane.warning' })}${io([
        ['notification', '={to: vehicleOwner.phone, key: caseId + ":warning", params: {plate: plate, lane: laneName, minutes: string(graceMinutes)}}'],
      ])}`,
    },
    slaStep({ id: 'onSiteStep', name: '现场处置', taskId: 'onSite', taskName: '现场处置（消防/物业）', col: 11, row: 2, department: '=if onSiteDepartment = null then "fire-rescue" else onSiteDepartment', hours: '=2', formId: 'fire-lane-onsite' }),
    { id: 'clearedOnSite', type: 'boundaryEvent', name: '已驶离', col: 11, row: 2, attachedTo: 'onSiteStep', body: message('msg_cleared') },
    { id: 'closeOnSite', type: 'serviceTask', name: '办结', col: 12, row: 3, ext: taskDef('case.close', { event: 'fire-lane.handled' }) },
    { id: 'endOnSite', type: 'endEvent', name: '现场处置完毕', col: 13, row: 3 },
    slaStep({ id: 'propertyStep', name: '物业核查车主', taskId: 'identifyOwner', taskName: '车牌无法识别或未登记：物业核查处置', col: 3, row: 4, department: '="property"', hours: '=2', formId: 'fire-lane-unknown-plate' }),
    { id: 'clearedProperty', type: 'boundaryEvent', name: '已驶离', col: 3, row: 4, attachedTo: 'propertyStep', body: message('msg_cleared') },
    { id: 'closeProperty', type: 'serviceTask', name: '办结', col: 12, row: 5, ext: taskDef('case.close', { event: 'fire-lane.handled' }) },
    { id: 'endProperty', type: 'endEvent', name: '物业处置完毕', col: 13, row: 5 },
  ],
  flows: [
    ...chain('detected', 'lookup', 'plateKnown'),
    flow('f_plateKnown_yes', 'plateKnown', 'notice', { name: '是' }),
    flow('f_plateKnown_no', 'plateKnown', 'propertyStep', { name: '否（无法识别/未登记）', condition: '=unknownPlate = true' }),
    ...chain('notice', 'offence', 'repeat'),
    flow('f_repeat_yes', 'repeat', 'penaltySms', { name: '90天内≥3次', condition: '=penaltyNotice = true' }),
    flow('f_repeat_no', 'repeat', 'repeatJoin', { name: '否' }),
    flow('f_penaltySms_join', 'penaltySms', 'repeatJoin'),
    ...chain('repeatJoin', 'awaitCleared', 'cleared', 'closeCleared', 'endCleared'),
    flow('f_await_grace', 'awaitCleared', 'graceOver'),
    ...chain('graceOver', 'warning', 'onSiteStep', 'closeOnSite', 'endOnSite'),
    flow('f_cleared_close', 'clearedOnSite', 'closeOnSite'),
    flow('f_propertyStep_close', 'propertyStep', 'closeProperty'),
    flow('f_clearedProperty_close', 'clearedProperty', 'closeProperty'),
    flow('f_closeProperty_end', 'closeProperty', 'endProperty'),
  ],
};
