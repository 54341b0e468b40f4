/**
 * Role × endpoint matrix: for every API route, who may call it. "Allowed" means the request got
 * past authorisation (any status but 401/403 — a validation 400 or the 501 of incidents without an
 * embedded engine still proves the caller was let in); everyone else must get 401 (anonymous) or
 * 403. Adding a route? Add its row: the last test fails for a route without one.
 */
import { DEMO_DEVICE_KEY, DEMO_OPEN311_KEY } from '../../server/auth/bootstrap';
import { startTestApp, type TestApp, type TestClient, type TestResponse } from './helpers/app';

type Caller = 'anonymous' | 'admin' | 'designer' | 'supervisor' | 'clerk' | 'device' | 'open311';
const CALLERS: Caller[] = ['anonymous', 'admin', 'designer', 'supervisor', 'clerk', 'device', 'open311'];
const STAFF: Caller[] = ['admin', 'designer', 'supervisor', 'clerk'];
const EVERYONE: Caller[] = CALLERS;

interface Row {
  /** `METHOD /path` exactly as defined (express syntax). */
  route: string;
  allowed: Caller[];
  /** Sends the request as `c`; `n` makes bodies unique per call. */
  send(c: TestClient, fixtures: Fixtures, n: number): Promise<TestResponse>;
}

interface Fixtures {
  userId: string;
  apiKeyIds: string[];
}

const MATRIX: Row[] = [
  { route: 'GET /api/openapi.json', allowed: EVERYONE, send: (c) => c.get('/api/openapi.json') },
  { route: 'GET /api/departments', allowed: EVERYONE, send: (c) => c.get('/api/departments') },
  // Without a password: everyone gets the validation 400 (a wrong password would be a 401 by design).
  { route: 'POST /api/auth/login', allowed: EVERYONE, send: (c) => c.post('/api/auth/login', { username: 'nobody' }) },
  { route: 'GET /api/me', allowed: STAFF, send: (c) => c.get('/api/me') },
  // An invalid body: allowed callers get 400 (validation runs after authorisation), nobody's password changes.
  { route: 'POST /api/me/password', allowed: STAFF, send: (c) => c.post('/api/me/password', { currentPassword: 'x' }) },
  {
    route: 'POST /api/auth/logout',
    allowed: STAFF,
    send: (c) => c.post('/api/auth/logout', undefined, { headers: { 'x-csrf-token': 'probe' } }),
  },
  { route: 'GET /api/admin/users', allowed: ['admin'], send: (c) => c.get('/api/admin/users') },
  {
    route: 'POST /api/admin/users',
    allowed: ['admin'],
    send: (c, _f, n) =>
      c.post('/api/admin/users', {
        username: `matrix.user${n}`,
        displayName: 'Matrix',
        roles: ['clerk'],
        departments: ['housing'],
      }),
  },
  {
    route: 'PATCH /api/admin/users/:id',
    allowed: ['admin'],
    send: (c, f) => c.patch(`/api/admin/users/${f.userId}`, { displayName: 'Renamed' }),
  },
  { route: 'GET /api/admin/api-keys', allowed: ['admin'], send: (c) => c.get('/api/admin/api-keys') },
  {
    route: 'POST /api/admin/api-keys',
    allowed: ['admin'],
    send: (c, _f, n) => c.post('/api/admin/api-keys', { kind: 'device', name: `camera ${n}` }),
  },
  {
    route: 'DELETE /api/admin/api-keys/:id',
    allowed: ['admin'],
    send: (c, f, n) => c.delete(`/api/admin/api-keys/${f.apiKeyIds[n % f.apiKeyIds.length]}`),
  },
  {
    route: 'GET /api/admin/departments/:code/contacts',
    allowed: ['admin'],
    send: (c) => c.get('/api/admin/departments/housing/contacts'),
  },
  {
    route: 'PUT /api/admin/departments/:code/contacts',
    allowed: ['admin'],
    send: (c) =>
      c.put('/api/admin/departments/housing/contacts', {
        contacts: [{ role: 'head', name: '住建局值班', phone: '13800000001' }],
      }),
  },
  { route: 'GET /api/admin/audit', allowed: ['admin'], send: (c) => c.get('/api/admin/audit') },
  { route: 'GET /api/admin/audit/export', allowed: ['admin'], send: (c) => c.get('/api/admin/audit/export') },
  {
    route: 'GET /api/admin/privacy/purge-reports',
    allowed: ['admin'],
    send: (c) => c.get('/api/admin/privacy/purge-reports'),
  },
  { route: 'POST /api/admin/privacy/purge', allowed: ['admin'], send: (c) => c.post('/api/admin/privacy/purge') },
  // A reporter's own data: public, behind an SMS code (an invalid body stops everyone at validation).
  {
    route: 'POST /api/privacy/reporter/code',
    allowed: EVERYONE,
    send: (c) => c.post('/api/privacy/reporter/code', {}),
  },
  {
    route: 'POST /api/privacy/reporter/export',
    allowed: EVERYONE,
    send: (c) => c.post('/api/privacy/reporter/export', {}),
  },
  {
    route: 'POST /api/privacy/reporter/erase',
    allowed: EVERYONE,
    send: (c) => c.post('/api/privacy/reporter/erase', {}),
  },
  { route: 'GET /api/admin/incidents', allowed: ['admin'], send: (c) => c.get('/api/admin/incidents') },
  {
    route: 'POST /api/admin/incidents/:key/resolve',
    allowed: ['admin'],
    send: (c) => c.post('/api/admin/incidents/2251799813685249/resolve', {}),
  },
  // Holiday years: a year in the far future (no data), a delete of a shipped year (409), an import that is not holiday data (422).
  { route: 'GET /api/admin/calendar', allowed: ['admin'], send: (c) => c.get('/api/admin/calendar') },
  {
    route: 'GET /api/admin/calendar/years/:year',
    allowed: ['admin'],
    send: (c) => c.get('/api/admin/calendar/years/2026'),
  },
  {
    route: 'PUT /api/admin/calendar/years/:year',
    allowed: ['admin'],
    send: (c) =>
      c.put('/api/admin/calendar/years/2099', { holidays: [{ name: '元旦', from: '2099-01-01', to: '2099-01-01' }] }),
  },
  {
    route: 'DELETE /api/admin/calendar/years/:year',
    allowed: ['admin'],
    send: (c) => c.delete('/api/admin/calendar/years/2026'),
  },
  {
    route: 'POST /api/admin/calendar/import',
    allowed: ['admin'],
    send: (c) => c.post('/api/admin/calendar/import', { holidays: [] }),
  },
  {
    route: 'GET /api/admin/calendar/preview',
    allowed: ['admin'],
    send: (c) => c.get('/api/admin/calendar/preview?start=2026-03-02T09:00:00%2B08:00&workingHours=8'),
  },
  // Devices only; an incomplete event, so the allowed caller stops at validation (400).
  {
    route: 'POST /api/device-events',
    allowed: ['device'],
    send: (c) => c.post('/api/device-events', { type: 'fire-lane.occupied' }),
  },
  // Open311 is public by the GeoReport spec; POST checks its api_key itself (a valid key here, fields missing → 400).
  ...(['json', 'xml'] as const).flatMap((f): Row[] => [
    { route: `GET /open311/discovery.${f}`, allowed: EVERYONE, send: (c) => c.get(`/open311/discovery.${f}`) },
    { route: `GET /open311/v2/services.${f}`, allowed: EVERYONE, send: (c) => c.get(`/open311/v2/services.${f}`) },
    {
      route: `GET /open311/v2/services/:code.${f}`,
      allowed: EVERYONE,
      send: (c) => c.get(`/open311/v2/services/no-such-service.${f}`),
    },
    {
      route: `POST /open311/v2/requests.${f}`,
      allowed: EVERYONE,
      send: (c) =>
        c.request('POST', `/open311/v2/requests.${f}`, {
          body: `api_key=${DEMO_OPEN311_KEY}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
    },
    { route: `GET /open311/v2/requests.${f}`, allowed: EVERYONE, send: (c) => c.get(`/open311/v2/requests.${f}`) },
    {
      route: `GET /open311/v2/requests/:id.${f}`,
      allowed: EVERYONE,
      send: (c) => c.get(`/open311/v2/requests/JB00000000-000000.${f}`),
    },
    {
      route: `GET /open311/v2/tokens/:token.${f}`,
      allowed: EVERYONE,
      send: (c) => c.get(`/open311/v2/tokens/no-such-token.${f}`),
    },
    {
      route: `GET /open311/v2/servicerequestupdates.${f}`,
      allowed: EVERYONE,
      send: (c) => c.get(`/open311/v2/servicerequestupdates.${f}`),
    },
  ]),
  // Cases, tasks, classification, outbox (test/api). Unknown ids: allowed callers get 404, bad bodies 400.
  // Intake is public; an empty description stops everyone at validation (this app has no engine).
  { route: 'POST /api/cases', allowed: EVERYONE, send: (c) => c.post('/api/cases', { description: '' }) },
  { route: 'GET /api/cases', allowed: ['admin', 'supervisor', 'clerk'], send: (c) => c.get('/api/cases?limit=5') },
  // Public with the reporter's phone: 404 for an unknown case, for anyone.
  {
    route: 'GET /api/cases/:idOrCaseNo',
    allowed: EVERYONE,
    send: (c) => c.get('/api/cases/JB00000000-000000?phone=13800000000'),
  },
  // The unmasked reporter: staff only (a missing reason stops the allowed ones at validation).
  {
    route: 'GET /api/cases/:idOrCaseNo/reporter',
    allowed: ['admin', 'supervisor', 'clerk'],
    send: (c) => c.get('/api/cases/JB00000000-000000/reporter'),
  },
  {
    route: 'POST /api/cases/:id/rating',
    allowed: EVERYONE,
    send: (c) => c.post('/api/cases/JB00000000-000000/rating', { satisfied: true, phone: '13800000000' }),
  },
  {
    route: 'POST /api/cases/:id/merge',
    allowed: ['clerk', 'supervisor'],
    send: (c) => c.post('/api/cases/JB00000000-000000/merge', { into: 'JB00000000-000001' }),
  },
  {
    route: 'POST /api/cases/:id/redispatch',
    allowed: ['clerk', 'supervisor'],
    send: (c) => c.post('/api/cases/JB00000000-000000/redispatch', { situationId: 'x', reason: 'matrix' }),
  },
  {
    route: 'POST /api/cases/:id/return',
    allowed: ['clerk', 'supervisor'],
    send: (c) => c.post('/api/cases/JB00000000-000000/return', { reason: 'matrix' }),
  },
  {
    route: 'POST /api/cases/:id/suspend',
    allowed: ['clerk', 'supervisor'],
    send: (c) => c.post('/api/cases/JB00000000-000000/suspend', { reason: 'matrix' }),
  },
  {
    route: 'POST /api/cases/:id/resume',
    allowed: ['clerk', 'supervisor'],
    send: (c) => c.post('/api/cases/JB00000000-000000/resume', {}),
  },
  {
    route: 'POST /api/classify',
    allowed: ['admin', 'supervisor', 'clerk'],
    send: (c) => c.post('/api/classify', { text: '路灯坏了' }),
  },
  {
    route: 'GET /api/notifications',
    allowed: ['admin', 'supervisor', 'clerk'],
    send: (c) => c.get('/api/notifications?caseId=none'),
  },
  { route: 'GET /api/tasks', allowed: ['admin', 'supervisor', 'clerk'], send: (c) => c.get('/api/tasks') },
  {
    route: 'GET /api/tasks/:id',
    allowed: ['admin', 'supervisor', 'clerk'],
    send: (c) => c.get('/api/tasks/00000000-0000-4000-8000-000000000000'),
  },
  ...(['claim', 'unclaim', 'complete', 'extension'] as const).map((action): Row => ({
    route: `POST /api/tasks/:id/${action}`,
    allowed: ['clerk'],
    send: (c) =>
      c.post(
        `/api/tasks/00000000-0000-4000-8000-000000000000/${action}`,
        action === 'extension' ? { hours: 8, reason: 'matrix' } : action === 'complete' ? { variables: {} } : undefined,
      ),
  })),
  { route: 'GET /api/extensions', allowed: ['admin', 'supervisor', 'clerk'], send: (c) => c.get('/api/extensions') },
  {
    route: 'POST /api/extensions/:id/approve',
    allowed: ['supervisor'],
    send: (c) => c.post('/api/extensions/999999/approve', {}),
  },
  {
    route: 'POST /api/extensions/:id/reject',
    allowed: ['supervisor'],
    send: (c) => c.post('/api/extensions/999999/reject', {}),
  },
  // Catalog: lists are public; writes for admins (an invalid body or unknown code keeps the catalog unchanged).
  ...(['categories', 'matters', 'situations'] as const).flatMap((kind): Row[] => [
    { route: `GET /api/catalog/${kind}`, allowed: EVERYONE, send: (c) => c.get(`/api/catalog/${kind}`) },
    {
      route: `POST /api/catalog/${kind}`,
      allowed: ['admin'],
      send: (c) => c.post(`/api/catalog/${kind}`, { code: '' }),
    },
    {
      route: `PATCH /api/catalog/${kind}/:code`,
      allowed: ['admin'],
      send: (c) => c.patch(`/api/catalog/${kind}/NO-SUCH`, {}),
    },
    {
      route: `DELETE /api/catalog/${kind}/:code`,
      allowed: ['admin'],
      send: (c) => c.delete(`/api/catalog/${kind}/NO-SUCH`),
    },
  ]),
  {
    route: 'POST /api/catalog/import',
    allowed: ['admin'],
    send: (c) =>
      c.request('POST', '/api/catalog/import?dryRun=true', { body: 'code\n', headers: { 'content-type': 'text/csv' } }),
  },
  { route: 'GET /api/catalog/export', allowed: ['admin'], send: (c) => c.get('/api/catalog/export?format=csv') },
  // Processes: designers deploy; designers, admins and supervisors (the dashboard's diagram) read.
  { route: 'GET /api/processes', allowed: ['designer', 'admin', 'supervisor'], send: (c) => c.get('/api/processes') },
  {
    route: 'POST /api/processes',
    allowed: ['designer', 'admin'],
    send: (c) =>
      c.request('POST', '/api/processes?filename=x.bpmn', {
        body: 'not xml',
        headers: { 'content-type': 'application/xml' },
      }),
  },
  {
    route: 'GET /api/processes/:id/versions',
    allowed: ['designer', 'admin', 'supervisor'],
    send: (c) => c.get('/api/processes/no-such/versions'),
  },
  {
    route: 'GET /api/processes/:id/versions/:version/xml',
    allowed: ['designer', 'admin', 'supervisor'],
    send: (c) => c.get('/api/processes/no-such/versions/1/xml'),
  },
  // Dashboard: supervisors and admins.
  ...(
    [
      'overview',
      'sla',
      'warnings?light=red',
      'rates',
      'rankings',
      'heatmap?processId=case-handling',
      'timeseries',
      'reform-effect',
      'fire-lane',
    ] as const
  ).map((figure): Row => ({
    route: `GET /api/dashboard/${figure.split('?')[0]}`,
    allowed: ['supervisor', 'admin'],
    send: (c) => c.get(`/api/dashboard/${figure}`),
  })),
];

describe('role × endpoint matrix', () => {
  let t: TestApp;
  const clients = {} as Record<Caller, TestClient>;
  const fixtures: Fixtures = { userId: '', apiKeyIds: [] };

  beforeAll(async () => {
    t = await startTestApp();
    clients.anonymous = t.client();
    clients.admin = await t.loginAs('admin');
    clients.designer = await t.loginAs('designer');
    clients.supervisor = await t.loginAs('supervisor');
    clients.clerk = await t.loginAs('clerk.housing');
    clients.device = bearer(t.client(), DEMO_DEVICE_KEY);
    clients.open311 = bearer(t.client(), DEMO_OPEN311_KEY);
    const created = await clients.admin.post('/api/admin/users', {
      username: 'matrix.target',
      displayName: 'Target',
      roles: ['clerk'],
      departments: ['tax'],
    });
    fixtures.userId = created.body.user.id;
    for (let i = 0; i < CALLERS.length; i++)
      fixtures.apiKeyIds.push(
        (await clients.admin.post('/api/admin/api-keys', { kind: 'open311', name: `to revoke ${i}` })).body.apiKey.id,
      );
  });
  afterAll(() => t.close());

  let n = 0;
  for (const row of MATRIX) {
    it.each(CALLERS)(`${row.route} as %s`, async (caller) => {
      // given a caller of this kind
      const client = clients[caller];

      // when it calls the endpoint
      const res = await row.send(client, fixtures, n++);

      // then it is let in exactly when the matrix says so
      if (row.route === 'POST /api/auth/logout' && caller !== 'anonymous' && STAFF.includes(caller)) {
        // the probe carries a wrong CSRF token on purpose, so no session is ended: 403 proves the check, not the role
        expect(res.status).toBe(403);
        expect(res.body.detail).toMatch(/CSRF/);
        return;
      }
      if (row.allowed.includes(caller)) expect([401, 403]).not.toContain(res.status);
      else expect(res.status).toBe(caller === 'anonymous' ? 401 : 403);
      // and nothing fails on our side (501 = incidents without an embedded engine, which this app has not)
      expect(res.status < 500 || (res.status === 501 && row.route.includes('/incidents'))).toBe(true);
    });
  }

  it('has a row for every API route', () => {
    // given the routes the app defines
    const defined = t.app.locals.routes.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();

    // then the matrix covers exactly them
    expect(MATRIX.map((r) => r.route).sort()).toEqual(defined);
  });
});

function bearer(c: TestClient, key: string): TestClient {
  const request = c.request.bind(c);
  c.request = (method, path, opts = {}) =>
    request(method, path, { ...opts, headers: { authorization: `Bearer ${key}`, ...opts.headers } });
  return c;
}
