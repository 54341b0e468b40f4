import { safeNextPath } from '../../../domain/security/safe-next';

const ORIGIN = 'https://onematter.example';

describe('safeNextPath: where a login may send the browser', () => {
  // Each of these, handed to location.assign() on the login page, leaves the site (or runs script)
  // in some browser: the attack is that the value is returned and followed.
  const leaving = [
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '\\/evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r/evil.example',
    '\t//evil.example',
    ' //evil.example',
    '/ /evil.example',
    '/\u00a0/evil.example',
    '/\u3000/evil.example',
    '/\u2028/evil.example',
    '/\u0000/evil.example',
    '/\u007f/evil.example',
    '/%5Cevil.example',
    '/%5cevil.example',
    '/%09/evil.example',
    '/%0A/evil.example',
    '/%0d/evil.example',
    '/%2F/evil.example',
    '/%2f%2fevil.example',
    '%2F%2Fevil.example',
    '/%252F/evil.example',
    '/%25255C/evil.example',
    '/%2525252F/evil.example',
    '/%20/evil.example',
    'https://evil.example',
    'HTTPS://evil.example/',
    'http:/evil.example',
    'http:evil.example',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'evil.example',
    'tasks',
    '?next=//evil.example',
    '#//evil.example',
    '',
    '/%E0%A4%A', // malformed escape
    `/${'a'.repeat(3000)}`,
  ];

  it.each(leaving.map((v) => [JSON.stringify(v), v]))(
    'given next=%s, when checked, then the login goes home',
    (_, v) => {
      expect(safeNextPath(v, ORIGIN)).toBeNull();
    },
  );

  it('given no next, when checked, then the login goes home', () => {
    expect(safeNextPath(null, ORIGIN)).toBeNull();
    expect(safeNextPath(undefined, ORIGIN)).toBeNull();
  });

  it.each([
    ['/tasks', '/tasks'],
    ['/', '/'],
    ['/dashboard?from=2026-01-01&to=2026-02-01', '/dashboard?from=2026-01-01&to=2026-02-01'],
    ['/tasks?q=%E4%BD%8F%E6%88%BF', '/tasks?q=%E4%BD%8F%E6%88%BF'],
    ['/tasks?q=a%20b', '/tasks?q=a%20b'],
    ['/designer#process-1', '/designer#process-1'],
    ['/a/../tasks', '/tasks'],
    ['/%2e%2e/tasks', '/tasks'],
  ])('given next=%s, when checked, then it is followed as %s (same site)', (next, expected) => {
    const result = safeNextPath(next, ORIGIN);
    expect(result).toBe(expected);
    expect(new URL(result!, ORIGIN).origin).toBe(ORIGIN);
  });
});
