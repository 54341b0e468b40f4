import { maskDeep, maskPhone, maskPhonesInText, normalizeMobile } from '../../domain/notify/mask';

describe('maskPhone', () => {
  it('keeps the first three and last four digits of a mainland mobile', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+8613812345678')).toBe('+86138****5678');
    expect(maskPhone('138 1234 5678')).toBe('138****5678');
  });

  it('keeps only the last four digits of other numbers', () => {
    expect(maskPhone('0574-87654321')).toBe('********4321');
    expect(maskPhone('123')).toBe('***');
    expect(maskPhone(undefined)).toBe('');
  });
});

describe('maskPhonesInText', () => {
  it('masks every mobile inside free text and leaves other digits alone', () => {
    // given a text with two phones, a plate and a case number
    const text = '车主13812345678（备用 +86 139-1234-5678）车牌浙B10001，工单20250127000123';
    // when masked
    // then only the phones change
    expect(maskPhonesInText(text)).toBe('车主138****5678（备用 +86 139****5678）车牌浙B10001，工单20250127000123');
  });

  it('masks nested strings of JSON values', () => {
    expect(maskDeep({ a: ['13812345678'], b: { c: 'call 15900001111' }, n: 3 })).toEqual({
      a: ['138****5678'],
      b: { c: 'call 159****1111' },
      n: 3,
    });
  });
});

describe('normalizeMobile', () => {
  it('accepts prefixes and separators and rejects non-mobiles with a masked message', () => {
    expect(normalizeMobile('+86 138-1234-5678')).toBe('13812345678');
    expect(() => normalizeMobile('0574-87654321')).toThrow(
      'Expected a mainland mobile number (11 digits starting 13–19), but got "********4321"',
    );
  });
});
