import { Dispatcher } from '../../domain/notify/dispatcher';
import { findById, prepareSms, queueInTransaction } from '../../domain/notify/outbox';
import { AliyunSmsProvider } from '../../domain/notify/providers/aliyun';
import {
  createSmsNotifyHandler,
  handleSmsNotify,
  SmsNotifyInputError,
  taskType,
  type CompletableJob,
} from '../../workers/sms-notify';
import { createTestDb, type TestDb } from '../helpers/db';
import { migrateNotifications, startHttpDouble, type HttpDouble } from './helpers';

const PHONE = '13812345678';
const job = (overrides: Partial<CompletableJob> = {}) => ({
  processInstanceKey: '2251799813685249',
  elementId: 'notify-owner',
  customHeaders: { template: 'fire-lane.notice' },
  variables: {
    caseId: 'case-42',
    notification: { to: PHONE, params: { plate: '浙B10003', lane: '甬江街道某小区', minutes: 15 } },
  },
  ...overrides,
});

let t: TestDb;
let double: HttpDouble | undefined;
beforeAll(async () => {
  t = await createTestDb();
  await migrateNotifications(t.db);
});
afterAll(() => t.destroy());
beforeEach(() => t.db('notification').del());
afterEach(async () => {
  await double?.close();
  double = undefined;
});

describe('sms.notify worker', () => {
  it('exports its task type', () => {
    expect(taskType).toBe('sms.notify');
  });

  it('never sends twice when the job is delivered twice', async () => {
    // given an Aliyun double and a dispatcher sending through it
    double = await startHttpDouble(() => ({ status: 200, body: { Code: 'OK', BizId: 'biz-1', RequestId: 'r' } }));
    const dispatcher = new Dispatcher({
      db: t.db,
      provider: new AliyunSmsProvider({
        accessKeyId: 'id',
        accessKeySecret: 's',
        templateCodes: { 'fire-lane.notice': 'SMS_1' },
        endpoint: double.url,
      }),
    });
    const deps = { db: t.db, wake: () => dispatcher.wake() };
    // when the same job is handled, delivered again after the SMS went out, and once more concurrently
    const first = await handleSmsNotify(deps, job());
    await dispatcher.idle();
    const redelivered = await Promise.all([handleSmsNotify(deps, job()), handleSmsNotify(deps, job())]);
    await dispatcher.idle();
    // then all completions name the same SMS, and the provider was called once
    expect(first).toEqual({ smsId: expect.any(String), smsStatus: 'queued' });
    for (const r of redelivered) expect(r).toEqual({ smsId: first.smsId, smsStatus: 'sent' });
    expect(double.requests).toHaveLength(1);
    const row = (await findById(t.db, first.smsId))!;
    expect(row).toMatchObject({
      idempotency_key: '2251799813685249:notify-owner:fire-lane.notice',
      case_id: 'case-42',
      status: 'sent',
      provider: 'aliyun',
      provider_message_id: 'biz-1',
    });
  });

  it('releases a notice the device service queued on hold but never handed over, and queues nothing new', async () => {
    // given the fire-lane notice queued on hold under the key the model uses (the device service
    // stopped between starting the instance and handing the notice to the dispatcher)
    const key = 'case-43:notice';
    const params = { plate: '浙B10003', lane: '甬江街道某小区', minutes: '15' };
    const { row: held } = await t.db.transaction((trx) =>
      queueInTransaction(
        trx,
        prepareSms({ idempotencyKey: key, to: PHONE, template: 'fire-lane.notice', params, caseId: 'case-43' }),
        { hold: true },
      ),
    );
    let woken = 0;
    // when the model's notice task runs
    const out = await handleSmsNotify(
      { db: t.db, wake: () => (woken += 1) },
      job({ variables: { caseId: 'case-43', notification: { to: PHONE, key, params } } }),
    );
    // then it completes with that row, which is now due, and the dispatcher was woken
    expect(out.smsId).toBe(held.id);
    expect((await findById(t.db, held.id))!.next_attempt_at).not.toBeNull();
    expect(woken).toBe(1);
    expect(await t.db('notification')).toHaveLength(1);
    // and a re-delivery changes nothing
    await handleSmsNotify(
      { db: t.db, wake: () => (woken += 1) },
      job({ variables: { caseId: 'case-43', notification: { to: PHONE, key, params } } }),
    );
    expect(woken).toBe(1);
  });

  it('uses notification.key and notification.template when given', async () => {
    const out = await handleSmsNotify(
      { db: t.db },
      job({
        customHeaders: {},
        variables: {
          notification: {
            key: 'case-42:reminder:2',
            template: 'fire-lane.warning',
            to: PHONE,
            caseId: 'case-42',
            params: { plate: '浙B10003', lane: 'x', minutes: 30 },
          },
        },
      }),
    );
    const row = (await findById(t.db, out.smsId))!;
    expect(row).toMatchObject({
      idempotency_key: 'case-42:reminder:2',
      template: 'fire-lane.warning',
      case_id: 'case-42',
    });
  });

  it('reports capped messages as such', async () => {
    const deps = { db: t.db, dailyCapPerPhone: 1 };
    await handleSmsNotify(deps, job());
    const second = await handleSmsNotify(deps, job({ elementId: 'notify-again' }));
    expect(second.smsStatus).toBe('capped');
  });

  it('rejects bad input with a masked, element-naming error and queues nothing', async () => {
    await expect(handleSmsNotify({ db: t.db }, job({ variables: { notification: {} } }))).rejects.toThrow(
      'Expected variable notification.to (a mobile number) on element notify-owner, but got none',
    );
    await expect(
      handleSmsNotify({ db: t.db }, job({ customHeaders: {}, variables: { notification: { to: PHONE } } })),
    ).rejects.toThrow(/template/);
    const badParams = await handleSmsNotify(
      { db: t.db },
      job({ variables: { notification: { to: PHONE, params: {} } } }),
    ).catch((e) => e);
    expect(badParams).toBeInstanceOf(SmsNotifyInputError);
    const badPhone = await handleSmsNotify(
      { db: t.db },
      job({ variables: { notification: { to: '1381234567', params: {} } } }),
    ).catch((e) => e);
    expect(badPhone).toBeInstanceOf(SmsNotifyInputError);
    expect(badPhone.message).not.toContain('1381234567');
    expect(Number((await t.db('notification').count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('completes through the SDK-shaped handler, and fails without retries on bad input', async () => {
    // given a job object shaped like the SDK's ZeebeJob
    const calls: [string, unknown][] = [];
    const sdkJob = (variables: Record<string, unknown>, elementId: string): CompletableJob => ({
      ...job({ variables, elementId }),
      complete: async (v) => calls.push(['complete', v]),
      fail: async (f) => calls.push(['fail', f]),
    });
    const handler = createSmsNotifyHandler({ db: t.db });
    // when a good and a bad job are handled
    await handler(sdkJob(job().variables, 'notify-owner'));
    await handler(sdkJob({ notification: { to: PHONE, params: {} } }, 'notify-broken'));
    // then one completes with the SMS id and status, the other fails with retries 0 (an incident)
    expect(calls[0]).toEqual(['complete', { smsId: expect.any(String), smsStatus: 'queued' }]);
    expect(calls[1]).toEqual([
      'fail',
      { errorMessage: expect.stringMatching(/param "plate".*element notify-broken/), retries: 0 },
    ]);
  });
});
