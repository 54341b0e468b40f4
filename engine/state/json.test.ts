import { parseJson, stringifyJson } from './json';

describe('lossless variable JSON', () => {
  test('integers beyond ±(2^53 − 1) within int64 parse to exact bigints and stringify back to their digits', () => {
    // given
    const text =
      '{"a":9007199254740993,"max":9223372036854775807,"min":-9223372036854775808,"list":[9007199254740993]}';
    // when
    const doc = parseJson(text) as Record<string, unknown>;
    // then
    expect(doc.a).toBe(9007199254740993n);
    expect(doc.max).toBe(2n ** 63n - 1n);
    expect(doc.min).toBe(-(2n ** 63n));
    expect(doc.list).toEqual([9007199254740993n]);
    expect(stringifyJson(doc)).toBe(text);
  });

  test('safe integers, decimals and integers beyond int64 stay numbers (doubles, as Zeebe)', () => {
    const doc = parseJson(
      '{"safe":9007199254740991,"dec":1234567890123456.5,"huge":92233720368547758080,"e":1e20,"s":"12345678901234567"}',
    ) as Record<string, unknown>;
    expect(doc).toEqual({
      safe: 9007199254740991,
      dec: 1234567890123456.5,
      huge: 92233720368547758080,
      e: 1e20,
      s: '12345678901234567',
    });
  });

  test('invalid JSON fails with the built-in parser message', () => {
    expect(() => parseJson('{"a":12345678901234567')).toThrow(SyntaxError);
    expect(() => parseJson('{a}')).toThrow(SyntaxError);
  });
});
