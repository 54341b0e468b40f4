/**
 * The audit log: every change by an admin, designer or supervisor is recorded with its outcome, secrets
 * redacted; clerks' work is not (it is on the case timeline); the table refuses UPDATE and DELETE; admins
 * page, filter and export it.
 */
import { startTestApp, type TestApp } from './helpers/app';

describe('audit log', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const rows = (actor: string) => t.testDb.db('audit_log').where({ actor }).orderBy('id');

  it('records an admin’s change with its outcome and without the password it returned', async () => {
    // given an admin
    const admin = await t.loginAs('admin');
    // when they create a user (the answer carries a one-time password) and make a mistake
    const created = await admin.post('/api/admin/users', {
      username: 'audit.clerk',
      displayName: '审计测试',
      roles: ['clerk'],
      departments: ['housing'],
    });
    expect(created.status).toBe(201);
    const again = await admin.post('/api/admin/users', { username: 'audit.clerk', displayName: 'x' });
    expect(again.status).toBe(409);
    await admin.patch(`/api/admin/users/${created.body.user.id}`, { resetPassword: true });

    // then three entries, in order, name the operation, the target and the outcome
    const log = await rows('admin');
    const mine = log.filter((r: any) => r.action.includes('/api/admin/users'));
    expect(mine.map((r: any) => [r.action, r.status])).toEqual([
      ['POST /api/admin/users', 201],
      ['POST /api/admin/users', 409],
      ['PATCH /api/admin/users/:id', 200],
    ]);
    expect(mine[2].target).toBe(`id=${created.body.user.id}`);
    expect(mine[0].detail).toMatchObject({ username: 'audit.clerk', roles: ['clerk'] });
    expect(mine[0].roles).toEqual(['admin']);
    // and the generated password is nowhere in the log
    expect(JSON.stringify(log)).not.toContain(created.body.password);
  });

  it('records a supervisor’s refused attempt, redacts secrets in bodies, and leaves clerks’ work to the timeline', async () => {
    // given a supervisor and a clerk
    const supervisor = await t.loginAs('supervisor');
    const clerk = await t.loginAs('clerk.housing');
    // when the supervisor tries an admin operation and changes their password wrongly
    expect((await supervisor.post('/api/admin/api-keys', { kind: 'device', name: 'cam' })).status).toBe(403);
    await supervisor.post('/api/me/password', { currentPassword: 'wrong-one', newPassword: 'a-new-long-password-1' });
    // and the clerk classifies a text (a POST that changes nothing of the workflow's)
    expect((await clerk.post('/api/classify', { text: '楼上漏水' })).status).toBe(200);

    // then the refusal is recorded (written as the answer finishes) …
    let log: any[] = [];
    for (let i = 0; i < 100 && log.length < 2; i++) log = await rows('supervisor');
    expect(log.map((r) => [r.action, r.status])).toEqual([
      ['POST /api/admin/api-keys', 403],
      ['POST /api/me/password', expect.any(Number)],
    ]);
    // … without the passwords
    expect(log[1].detail).toEqual({ currentPassword: '[redacted]', newPassword: '[redacted]' });
    // and nothing of the clerk's
    expect(await rows('clerk.housing')).toEqual([]);
  });

  it('cannot be rewritten: UPDATE and DELETE are refused by the database', async () => {
    const [{ id }] = await rows('admin');
    await expect(t.testDb.db('audit_log').where({ id }).update({ actor: 'nobody' })).rejects.toThrow(/append-only/);
    await expect(t.testDb.db('audit_log').where({ id }).del()).rejects.toThrow(/append-only/);
    expect((await t.testDb.db('audit_log').where({ id }).first()).actor).toBe('admin');
  });

  it('is listed for admins only, newest first, filtered and paged, with totals equal to the rows', async () => {
    const admin = await t.loginAs('admin');
    // given more entries
    for (let i = 0; i < 3; i++)
      await admin.put('/api/admin/departments/housing/contacts', { contacts: [] }).catch(() => undefined);
    // when an admin lists the refused ones and everything of the admin, two at a time
    const refused = await admin.get('/api/admin/audit?outcome=refused');
    expect(refused.status).toBe(200);
    expect(refused.body.items.every((r: any) => r.status >= 400)).toBe(true);
    expect(refused.body.total).toBe(refused.body.items.length);
    const first = await admin.get('/api/admin/audit?actor=admin&limit=2');
    const ids = first.body.items.map((r: any) => Number(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const next = await admin.get(`/api/admin/audit?actor=admin&limit=2&before=${ids[1]}`);
    expect(next.body.items.every((r: any) => Number(r.id) < ids[1])).toBe(true);
    const all = await t.testDb.db('audit_log').where({ actor: 'admin' }).count({ n: '*' });
    expect(first.body.total).toBe(Number(all[0].n));
    // and a supervisor may not read it
    expect((await (await t.loginAs('supervisor')).get('/api/admin/audit')).status).toBe(403);
  });

  it('exports CSV with a BOM and one row per entry of the filter', async () => {
    const admin = await t.loginAs('admin');
    // given one more change
    await admin.post('/api/admin/users', { username: 'audit.export', displayName: '导出测试' });
    // when the log is exported
    const csv = await admin.get('/api/admin/audit/export?actor=admin');
    // then it is a UTF-8 CSV with a header and as many rows as entries
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain('audit-log.csv');
    // (fetch's text() drops a BOM, so the bytes are read as they came: Excel needs it for Chinese)
    const raw = await fetch(`${t.url}/api/admin/audit/export?actor=admin`, {
      headers: { cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    expect([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toContain('id,at,actor,roles,action,summary');
    const n = Number((await t.testDb.db('audit_log').where({ actor: 'admin' }).count({ n: '*' }))[0].n);
    expect(lines.length - 1).toBe(n);
    // and the change's body is in its row
    expect(lines.find((l) => l.includes('audit.export'))).toContain('导出测试');
  });
});

describe('audit detail', () => {
  it('keeps small bodies, redacts secrets at any depth, and summarises hostile ones', async () => {
    const { redactDetail } = await import('../../domain/audit/audit-log');
    expect(redactDetail({ a: 1, nested: [{ token: 'x', ok: true }] })).toEqual({
      a: 1,
      nested: [{ token: '[redacted]', ok: true }],
    });
    let deep: unknown = 1;
    for (let i = 0; i < 50_000; i++) deep = [deep];
    expect(JSON.stringify(redactDetail({ deep }))).toContain('[…]');
    expect(redactDetail({ many: Array.from({ length: 10_000 }, (_, i) => i) })).toEqual({
      omitted: 'more than 2000 values',
    });
    expect(redactDetail({ long: 'x'.repeat(5000) })).toEqual({ omitted: expect.stringMatching(/^\d+ bytes$/) });
  });
});
