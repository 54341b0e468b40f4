import { renderTemplate, SMS_TEMPLATES, TemplateError } from '../../domain/notify/templates';

describe('renderTemplate', () => {
  it('renders the fire-lane notice in Chinese with its signature', () => {
    // given a plate, lane and deadline
    const { text, params } = renderTemplate('fire-lane.notice', {
      plate: '浙B10001',
      lane: '江北万达广场北门',
      minutes: 15,
    });
    // then the text starts with the signature and contains every value
    expect(text).toBe(
      '【江北消防】您的车辆浙B10001停放在江北万达广场北门消防通道，请于15分钟内驶离。消防通道是生命通道，感谢您的配合。',
    );
    expect(params).toEqual({ plate: '浙B10001', lane: '江北万达广场北门', minutes: 15 });
  });

  it('renders every template when given all its parameters', () => {
    for (const t of Object.values(SMS_TEMPLATES)) {
      const params = Object.fromEntries(Object.keys(t.params).map((k) => [k, '1']));
      const { text } = renderTemplate(t.code, params);
      expect(text.startsWith(`【${t.sign}】`)).toBe(true);
      expect(text).not.toMatch(/[{}]/);
    }
  });

  it('rejects unknown templates, missing, unknown, empty, over-long and unsafe params', () => {
    expect(() => renderTemplate('nope', {})).toThrow(TemplateError);
    expect(() => renderTemplate('case.accepted', { caseNo: 'A1' })).toThrow(/param "days"/);
    expect(() => renderTemplate('case.accepted', { caseNo: 'A1', days: 5, extra: 1 })).toThrow(/but got extra/);
    expect(() => renderTemplate('case.accepted', { caseNo: ' ', days: 5 })).toThrow(/non-empty/);
    expect(() => renderTemplate('fire-lane.notice', { plate: '浙B100011234567', lane: 'x', minutes: 1 })).toThrow(
      /at most 12/,
    );
    expect(() => renderTemplate('fire-lane.notice', { plate: '浙B1', lane: 'a\nb', minutes: 1 })).toThrow(
      /line breaks/,
    );
    expect(() => renderTemplate('fire-lane.notice', { plate: '浙B1', lane: { x: 1 }, minutes: 1 })).toThrow(
      /string or number/,
    );
  });
});
