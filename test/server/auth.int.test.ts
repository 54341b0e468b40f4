import { DEMO_PASSWORD } from '../../server/auth/bootstrap';
import { startTestApp, type TestApp } from './helpers/app';

describe('login, logout and /api/me', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMIT_LOGIN_IP: '1000/1m', RATE_LIMIT_LOGIN_USER: '3/1m' } });
  });
  afterAll(() => t.close());

  it('logs in with the demo password and answers /api/me with roles, departments and the CSRF token', async () => {
    // given a clerk of the housing bureau
    const c = t.client();

    // when they log in
    const res = await c.login('clerk.housing', DEMO_PASSWORD);

    // then the session cookie is HttpOnly, SameSite=Lax, not Secure on plain HTTP
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: { username: 'clerk.housing', displayName: expect.any(String), roles: ['clerk'], departments: ['housing'] },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const cookie = res.headers.getSetCookie()[0];
    expect(cookie).toMatch(/^om_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);

    // and /api/me knows them, with the same CSRF token
    const me = await c.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual(res.body);
  });

  it('marks the cookie Secure behind a TLS-terminating proxy on loopback', async () => {
    // given a request forwarded from https by a proxy on the same machine
    const c = t.client();

    // when logging in through it
    const res = await c.post(
      '/api/auth/login',
      { username: 'supervisor', password: DEMO_PASSWORD },
      { headers: { 'x-forwarded-proto': 'https' } },
    );

    // then
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()[0]).toMatch(/; Secure/);
  });

  it('stores no session token and no password in clear', async () => {
    // given a logged-in user
    const c = await t.loginAs('designer');
    const token = c.cookies.get('om_session')!;

    // when the tables are read
    const sessions = await t.testDb.db('session').select('id_hash');
    const user = await t.testDb.db('app_user').where({ username: 'designer' }).first('password_hash');

    // then only hashes are there
    expect(sessions.map((s) => s.id_hash)).not.toContain(token);
    expect(sessions.every((s) => /^[0-9a-f]{64}$/.test(s.id_hash))).toBe(true);
    expect(user.password_hash).toMatch(/^scrypt\$N=32768,r=8,p=1\$/);
  });

  it('answers a wrong password and an unknown user with the same 401', async () => {
    // when
    const wrong = await t.client().login('designer', 'not-the-password');
    const unknown = await t.client().login('nobody-here', 'whatever');

    // then
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  it('lists the bad fields of a malformed login', async () => {
    // when the body misses the password and has an unknown field
    const res = await t.client().post('/api/auth/login', { username: 'admin', remember: true });

    // then
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'password', message: expect.any(String) },
        { field: 'remember', message: 'unknown field' },
      ]),
    );
  });

  it('answers /api/me 401 without a session, and after logout', async () => {
    // given a logged-in supervisor
    const c = await t.loginAs('supervisor');
    const stolenCookie = c.cookies.get('om_session')!;
    expect((await t.client().get('/api/me')).status).toBe(401);

    // when they log out
    const out = await c.post('/api/auth/logout');

    // then the cookie is cleared and the old session value no longer works anywhere
    expect(out.status).toBe(204);
    expect(c.cookies.has('om_session')).toBe(false);
    const replay = t.client();
    replay.cookies.set('om_session', stolenCookie);
    expect((await replay.get('/api/me')).status).toBe(401);
  });

  it('rejects cookie-authenticated writes without the CSRF header, and with a wrong one', async () => {
    // given a logged-in admin
    const c = await t.loginAs('admin');

    // when writing without / with a wrong X-CSRF-Token
    const missing = await c.post('/api/admin/api-keys', { kind: 'device', name: 'cam 1' }, { csrf: false });
    const wrong = await c.post(
      '/api/admin/api-keys',
      { kind: 'device', name: 'cam 1' },
      { headers: { 'x-csrf-token': 'x'.repeat(43) } },
    );
    const logout = await c.post('/api/auth/logout', undefined, { csrf: false });

    // then all are refused and nothing was written
    expect([missing.status, wrong.status, logout.status]).toEqual([403, 403, 403]);
    expect(missing.body.detail).toMatch(/X-CSRF-Token/);
    expect(await t.testDb.db('api_key').where({ name: 'cam 1' })).toHaveLength(0);
    expect((await c.get('/api/me')).status).toBe(200);

    // and with the token the same write succeeds
    const ok = await c.post('/api/admin/api-keys', { kind: 'device', name: 'cam 1' });
    expect(ok.status).toBe(201);
  });

  it('locks a username after too many failures, even for the right password, until the window passes', async () => {
    // given RATE_LIMIT_LOGIN_USER=3/1m and three failures for clerk.tax
    for (let i = 0; i < 3; i++) expect((await t.client().login('clerk.tax', 'guess-' + i)).status).toBe(401);

    // when the right password comes next
    const res = await t.client().login('clerk.tax', DEMO_PASSWORD);

    // then it is refused with 429 and Retry-After, while another user still logs in
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await t.client().login('clerk.water', DEMO_PASSWORD)).status).toBe(200);
  });

  it('changes one’s own password: the old one stops working and other sessions end', async () => {
    // given clerk.health logged in twice
    const a = await t.loginAs('clerk.health');
    const b = await t.loginAs('clerk.health');

    // when one session changes the password
    const wrongCurrent = await a.post('/api/me/password', {
      currentPassword: 'nope',
      newPassword: 'a-new-long-password',
    });
    const res = await a.post('/api/me/password', {
      currentPassword: DEMO_PASSWORD,
      newPassword: 'a-new-long-password',
    });

    // then
    expect(wrongCurrent.status).toBe(401);
    expect(res.status).toBe(204);
    expect((await a.get('/api/me')).status).toBe(200);
    expect((await b.get('/api/me')).status).toBe(401);
    expect((await t.client().login('clerk.health', DEMO_PASSWORD)).status).toBe(401);
    expect((await t.client().login('clerk.health', 'a-new-long-password')).status).toBe(200);
  });

  it('answers 429 with Retry-After once an address has used up its attempts', async () => {
    // given RATE_LIMIT_LOGIN_IP=5/1m (an app on the same database with that limit)
    const limited = await t.spawn({ env: { RATE_LIMIT_LOGIN_IP: '5/1m', RATE_LIMIT_LOGIN_USER: '100/1m' } });
    const statuses: number[] = [];

    // when one address tries 7 times (different users, wrong passwords)
    for (let i = 0; i < 7; i++) statuses.push((await limited.client().login(`user${i}`, 'x')).status);

    // then the first 5 are checked and the rest refused unchecked, even for correct credentials
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    const res = await limited.client().login('admin', DEMO_PASSWORD);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    await limited.close();
  });
});
