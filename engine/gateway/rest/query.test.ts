import { RestError } from './problem';
import { search, type SearchSpec } from './query';

const spec: SearchSpec = { key: 'key', dates: ['startDate'] };
const rows = [
  { key: '2251799813685251', name: 'beta', version: 2, startDate: '2026-01-02T00:00:00.000Z' },
  { key: '2251799813685249', name: 'alpha', version: 1, startDate: '2026-01-01T00:00:00.000Z' },
  { key: '2251799813685250', name: 'a*b', version: 3, startDate: '2026-01-03T00:00:00.000Z' },
  { key: '10', name: 'gamma', version: 1, startDate: '2026-01-04T00:00:00.000Z' },
];
const keys = (r: { items: { key: string }[] }) => r.items.map((i) => i.key);

describe('REST search semantics', () => {
  test('sorts 64-bit keys numerically and ties by key', () => {
    // when
    const byKey = search(rows, {}, spec);
    const byVersion = search(rows, { sort: [{ field: 'version', order: 'desc' }] }, spec);

    // then
    expect(keys(byKey)).toEqual(['10', '2251799813685249', '2251799813685250', '2251799813685251']);
    expect(keys(byVersion)).toEqual(['2251799813685250', '2251799813685251', '10', '2251799813685249']);
  });

  test('filters with operators, dates, $like wildcards and escapes, and $or', () => {
    // when
    const like = search(rows, { filter: { name: { $like: 'a*' } } }, spec);
    const literalStar = search(rows, { filter: { name: { $like: 'a\\*b' } } }, spec);
    const dates = search(
      rows,
      { filter: { startDate: { $gte: '2026-01-02T00:00:00Z', $lt: '2026-01-04T00:00:00Z' } } },
      spec,
    );
    const or = search(rows, { filter: { $or: [{ name: 'gamma' }, { version: { $in: [2] } }] } }, spec);
    const notIn = search(rows, { filter: { name: { $notIn: ['alpha', 'beta'] }, version: { $neq: 1 } } }, spec);

    // then
    expect(keys(like)).toEqual(['2251799813685249', '2251799813685250']);
    expect(keys(literalStar)).toEqual(['2251799813685250']);
    expect(keys(dates)).toEqual(['2251799813685250', '2251799813685251']);
    expect(keys(or)).toEqual(['10', '2251799813685251']);
    expect(keys(notIn)).toEqual(['2251799813685250']);
  });

  test('pages by offset, after and before cursors', () => {
    // given
    const sort = [{ field: 'startDate', order: 'asc' as const }];
    const first = search(rows, { sort, page: { limit: 2 } }, spec);

    // when
    const after = search(rows, { sort, page: { limit: 2, after: first.page.endCursor } }, spec);
    const before = search(rows, { sort, page: { limit: 5, before: after.page.startCursor } }, spec);
    const offset = search(rows, { sort, page: { from: 3, limit: 2 } }, spec);

    // then
    expect(first.page.totalItems).toBe(4);
    expect(keys(first)).toEqual(['2251799813685249', '2251799813685251']);
    expect(keys(after)).toEqual(['2251799813685250', '10']);
    expect(keys(before)).toEqual(keys(first));
    expect(keys(offset)).toEqual(['10']);
    expect(first.page.endCursor).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  test('a cursor it did not hand out, a bad limit or an unknown operator is a 400', () => {
    // when / then
    for (const req of [
      { page: { after: 'bm90LWEtY3Vyc29y' } },
      { page: { limit: 0 } },
      { filter: { name: { $regex: '.*' } } },
      { filter: { startDate: 'yesterday' } },
    ]) {
      expect(() => search(rows, req as any, spec)).toThrow(RestError);
    }
  });
});
