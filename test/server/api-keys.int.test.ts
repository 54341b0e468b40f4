import { DEMO_DEVICE_KEY } from '../../server/auth/bootstrap';
import { startTestApp, type TestApp } from './helpers/app';

describe('API keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const asKey = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

  it('creates a device key shown once, stored as sha256 only, which authenticates until revoked', async () => {
    // given an admin
    const admin = await t.loginAs('admin');

    // when they create a device key
    const created = await admin.post('/api/admin/api-keys', {
      kind: 'device',
      name: 'Gate 3 camera',
      deviceId: 'cam-gate-3',
    });

    // then the key is in this answer only
    expect(created.status).toBe(201);
    const { key, apiKey } = created.body;
    expect(key).toMatch(/^om_device_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({
      kind: 'device',
      name: 'Gate 3 camera',
      deviceId: 'cam-gate-3',
      createdBy: 'admin',
      revokedAt: null,
    });
    const listed = await admin.get('/api/admin/api-keys');
    expect(JSON.stringify(listed.body)).not.toContain(key);
    const row = await t.testDb.db('api_key').where({ id: apiKey.id }).first();
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(key);

    // and the key authenticates: known (403 on an admin endpoint, not 401), without any CSRF token
    expect((await t.client().get('/api/admin/users', asKey(key))).status).toBe(403);
    expect((await t.client().post('/api/admin/api-keys', { kind: 'device', name: 'x' }, asKey(key))).status).toBe(403);
    expect((await t.testDb.db('api_key').where({ id: apiKey.id }).first()).last_used_at).not.toBeNull();

    // when it is revoked
    const revoked = await admin.delete(`/api/admin/api-keys/${apiKey.id}`);

    // then it no longer authenticates, and revoking twice is a conflict
    expect(revoked.status).toBe(200);
    expect(revoked.body.apiKey.revokedAt).not.toBeNull();
    expect((await t.client().get('/api/departments', asKey(key))).status).toBe(401);
    expect((await admin.delete(`/api/admin/api-keys/${apiKey.id}`)).status).toBe(409);
  });

  it('refuses the demo device key on every admin endpoint', async () => {
    // when the camera key calls admin endpoints
    const statuses = await Promise.all(
      ['/api/admin/users', '/api/admin/api-keys', '/api/admin/incidents'].map(
        async (path) => (await t.client().get(path, asKey(DEMO_DEVICE_KEY))).status,
      ),
    );
    const create = await t
      .client()
      .post('/api/admin/users', { username: 'evil', displayName: 'Evil', roles: ['admin'] }, asKey(DEMO_DEVICE_KEY));

    // then all are forbidden and no user was created
    expect(statuses).toEqual([403, 403, 403]);
    expect(create.status).toBe(403);
    expect(await t.testDb.db('app_user').where({ username: 'evil' })).toEqual([]);
    // and a key is not a user: /api/me is forbidden too
    expect((await t.client().get('/api/me', asKey(DEMO_DEVICE_KEY))).status).toBe(403);
  });

  it('answers 401 for an unknown key and for a malformed Authorization header, never falling back to anonymous', async () => {
    expect((await t.client().get('/api/departments', asKey('om_device_not-a-real-key'))).status).toBe(401);
    const basic = await t.client().get('/api/departments', { headers: { authorization: 'Basic YWRtaW46eA==' } });
    expect(basic.status).toBe(401);
    expect(basic.body.detail).toMatch(/Bearer/);
  });

  it('validates new keys field by field', async () => {
    const admin = await t.loginAs('admin');
    const res = await admin.post('/api/admin/api-keys', { kind: 'satellite', name: '', extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['extra', 'kind', 'name']);
  });
});
