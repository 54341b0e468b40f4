import { z } from 'zod';
import { HttpProblem } from '../../../server/http/problem';
import { parseRequestPart, query } from '../../../server/http/validate';

function problemOf(fn: () => unknown): HttpProblem {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpProblem) return err;
    throw err;
  }
  throw new Error('Expected an HttpProblem, but nothing was thrown');
}

describe('request validation', () => {
  const body = z.strictObject({
    reporter: z.strictObject({ phone: z.string().regex(/^1\d{10}$/) }),
    attachments: z.array(z.strictObject({ url: z.url() })),
  });

  it('names every bad field with its path', () => {
    // when a body has a bad nested field, a bad array element and an unknown key
    const p = problemOf(() =>
      parseRequestPart(body, { reporter: { phone: '123' }, attachments: [{ url: 'ok?' }], extra: 1 }, 'body'),
    );

    // then
    expect(p.status).toBe(400);
    expect(p.extra.errors!.map((e) => e.field).sort()).toEqual(['attachments[0].url', 'extra', 'reporter.phone']);
  });

  it('prefixes query and path fields', () => {
    const p = problemOf(() =>
      parseRequestPart(z.object({ limit: query.int({ min: 1 }) }), { limit: ['1', '2'] }, 'query'),
    );
    expect(p.extra.errors).toEqual([{ field: 'query.limit', message: expect.any(String) }]);
    expect(
      problemOf(() => parseRequestPart(z.object({ id: z.uuid() }), { id: 'x' }, 'path')).extra.errors![0].field,
    ).toBe('path.id');
  });

  it('refuses NUL characters and deep nesting before any schema sees them', () => {
    const anything = z.json();
    expect(problemOf(() => parseRequestPart(anything, { name: 'a\u0000b' }, 'body')).extra.errors).toEqual([
      { field: 'name', message: expect.stringMatching(/NUL/) },
    ]);
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    expect(problemOf(() => parseRequestPart(anything, deep, 'body')).extra.errors![0].message).toMatch(/nested deeper/);
  });

  it('coerces query strings', () => {
    expect(parseRequestPart(z.object({ n: query.int(), b: query.bool() }), { n: '42', b: 'true' }, 'query')).toEqual({
      n: 42,
      b: true,
    });
  });
});
