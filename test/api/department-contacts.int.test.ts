import { startTestApp, type TestApp } from '../server/helpers/app';
import { notifyStaff } from '../../domain/notify/staff-notify';

/** Admins keep each department's SMS contacts; yellow/red cards reach exactly those people. */
describe('department SMS contacts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  test('an admin replaces the contacts; phones come back masked; the staff notice reaches them', async () => {
    // given an admin
    const admin = await t.loginAs('admin');
    // when the housing bureau's head, duty phone and one clerk are set
    const put = await admin.put('/api/admin/departments/housing/contacts', {
      contacts: [
        { role: 'head', name: '王局长', phone: '+86 138-0000-1111' },
        { role: 'duty', name: '值班室', phone: '13800002222' },
        { role: 'staff', name: '李办事员', username: 'clerk.housing', phone: '13800003333' },
      ],
    });
    // then they are stored normalised and shown masked
    expect(put.status).toBe(200);
    expect(put.body.contacts.map((c: any) => [c.role, c.phone])).toEqual([
      ['duty', '138****2222'],
      ['head', '138****1111'],
      ['staff', '138****3333'],
    ]);
    expect((await admin.get('/api/admin/departments/housing/contacts')).body).toEqual(put.body);
    // and a yellow card for an unclaimed task reaches the duty phone and the head
    const sent = await notifyStaff(t.testDb.db, {
      department: 'housing',
      includeHead: true,
      template: 'staff.yellow-card',
      params: { department: '住建局', caseNo: 'JB1', step: '核实', dueAt: '明天17:30' },
      key: 'k1',
      now: () => new Date(),
    });
    expect(sent.notified.map((n) => n.to).sort()).toEqual(['138****1111', '138****2222']);
  });

  test('a bad phone is a 400 naming the field and changes nothing; an unknown department is 404', async () => {
    const admin = await t.loginAs('admin');
    const before = (await admin.get('/api/admin/departments/housing/contacts')).body;
    const bad = await admin.put('/api/admin/departments/housing/contacts', {
      contacts: [{ role: 'head', name: 'x', phone: '12345' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'contacts.0.phone', message: expect.any(String) }]);
    expect((await admin.get('/api/admin/departments/housing/contacts')).body).toEqual(before);
    expect((await admin.get('/api/admin/departments/nowhere/contacts')).status).toBe(404);
  });
});
