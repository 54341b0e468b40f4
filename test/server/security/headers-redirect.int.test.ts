import { startTestApp, type TestApp } from '../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const cspOf = (headers: Headers) =>
  Object.fromEntries(
    (headers.get('content-security-policy') ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values]),
  );

describe('the login page never sends a browser off the site (issue 18, M2)', () => {
  it.each(['/%5Cevil.example', '/%09/evil.example', '//evil.example', 'https://evil.example', '/%2F/evil.example'])(
    'given a link /login?next=%s, when fetched, then the server answers 303 to /login without next (keeping reason)',
    async (next) => {
      const res = await t.client().get(`/login?reason=expired&next=${next}`);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login?reason=expired');
    },
  );

  it('given two next parameters, one leaving the site, when fetched, then it is rewritten too', async () => {
    const res = await t.client().get('/login?next=/tasks&next=/%5Cevil.example');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
  });

  it('given a next on this site, when fetched, then the login page is served', async () => {
    const res = await t.client().get('/login?next=%2Ftasks%3Ftask%3Dabc&reason=expired');
    expect([200, 503]).toContain(res.status); // 503 only without a UI build
    expect(res.headers.get('location')).toBeNull();
  });
});

describe('security headers on every answer (issue 18, "Headers")', () => {
  it.each(['/login', '/api/me', '/api/openapi.json', '/healthz'])(
    'given GET %s, then a strict CSP, no framing, nosniff and no referrer are set',
    async (path) => {
      const res = await t.client().get(path);
      const csp = cspOf(res.headers);
      expect(csp['default-src']).toEqual(["'self'"]);
      expect(csp['script-src']).toEqual(["'self'"]);
      expect(csp['script-src-attr']).toEqual(["'none'"]);
      expect(csp['style-src']).toEqual(["'self'"]);
      expect(csp['style-src-attr']).toEqual(["'none'"]);
      expect(csp['object-src']).toEqual(["'none'"]);
      expect(csp['frame-ancestors']).toEqual(["'none'"]);
      expect(csp['base-uri']).toEqual(["'none'"]);
      expect(JSON.stringify(csp)).not.toContain('unsafe-eval');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
    },
  );

  it('given the designer page, then only styles are relaxed (its editors insert <style> and style attributes), never scripts', async () => {
    const csp = cspOf((await t.client().get('/designer')).headers);
    expect(csp['style-src-elem']).toEqual(["'self'", "'unsafe-inline'"]);
    expect(csp['style-src-attr']).toEqual(["'unsafe-inline'"]);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
  });
});
