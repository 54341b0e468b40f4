import { createLogger } from '../../platform/logger';
import { piiKeyring } from '../../domain/privacy/pii-crypto';
import { normalize } from '../../domain/notify/outbox';
import { DeviceEventService } from '../../server/devices/device-event-service';
import { DEMO_LANES, DEMO_VEHICLES } from '../../platform/demo/demo-data';
import {
  fireLaneCaseTimings,
  fireLaneFigures,
  loadFireLaneConfig,
  upsertLanes,
  upsertVehicles,
} from '../../domain/fire-lane';
import { Dispatcher } from '../../domain/notify/dispatcher';
import { findByKey } from '../../domain/notify/outbox';
import type { OutgoingSms, SmsProvider } from '../../domain/notify/provider';
import { AliyunSmsProvider } from '../../domain/notify/providers/aliyun';
import { WebhookProvider } from '../../domain/notify/providers/webhook';
import { createSmsNotifyHandler } from '../../workers/sms-notify';
import { startHttpDouble } from '../notify/helpers';
import { CAMERA_KEY, startOpen311Env, type Open311Env } from '../open311/env';

/** A provider that records what it was handed (the outbox provider's behaviour, observable). */
class RecordingProvider implements SmsProvider {
  readonly name = 'recording';
  readonly sent: OutgoingSms[] = [];
  async send(sms: OutgoingSms) {
    this.sent.push(sms);
    return { providerMessageId: `rec-${sms.id}` };
  }
}

/**
 * Fire lane end to end: camera events through POST /api/device-events, the real workers (vehicle.lookup,
 * sms.notify, fire-lane.offence and the scenario workers) driven job by job, the engine's clock moved
 * by hand, the SMS dispatcher run round by round against providers and their local HTTP doubles.
 */
describe('fire lane', () => {
  let env: Open311Env;
  let provider: RecordingProvider;
  let dispatcher: Dispatcher;
  const now = () => new Date(env.h.te.now());
  beforeAll(async () => {
    env = await startOpen311Env();
    await upsertVehicles(env.h.db, [...DEMO_VEHICLES], { source: 'demo' });
    await upsertLanes(env.h.db, [...DEMO_LANES]);
  });
  afterAll(() => env.stop());
  beforeEach(() => {
    provider = new RecordingProvider();
    dispatcher = new Dispatcher({ db: env.h.db, provider, now });
  });

  let seq = 0;
  const send = async (over: Record<string, unknown>) => {
    const body = {
      deviceId: 'cam-zq',
      type: 'fire-lane.occupied',
      laneId: 'ZQ-01',
      plate: '浙B10001',
      detectedAt: now().toISOString(),
      eventId: `fl-${++seq}`,
      ...over,
    };
    const r = await env.app
      .client()
      .post('/api/device-events', body, { headers: { authorization: `Bearer ${CAMERA_KEY}` } });
    expect(r.status).toBe(202);
    await env.h.drive();
    return r.body as { caseId: string | null; merged: boolean };
  };
  const caseOf = (id: string) => env.h.db('case').where({ id }).first();
  // the number is sealed at rest (domain/privacy): opened as the dispatcher opens it
  const sms = async (caseId: string) =>
    (await env.h.db('notification').where({ case_id: caseId }).orderBy('id')).map(normalize);
  const types = async (caseId: string) => (await env.h.events(caseId)).map((e) => e.type);

  test('the owner moves in time: notice at once, lane cleared closes the case with no penalty; detection → queued → sent recorded', async () => {
    // when the camera sees 浙B10004 in lane ZQ-01
    const { caseId } = await send({ plate: '浙B10004' });
    await dispatcher.runOnce();

    // then the owner got the notice naming the lane, and it was handed to the provider
    const [notice] = await sms(caseId!);
    expect(notice).toMatchObject({ template: 'fire-lane.notice', to_phone: '13800000004', status: 'sent' });
    expect(notice.text).toContain('庄桥花园3号楼北侧消防通道');
    expect(notice.text).toContain('30分钟');
    expect(provider.sent.map((s) => s.caseId)).toEqual([caseId]);
    const timings = (await fireLaneCaseTimings(env.h.db, caseId!))!;
    expect(timings.noticeQueuedAt).not.toBeNull();
    expect(timings.noticeSentAt).not.toBeNull();
    expect(timings.detectionToSentMs).toBeGreaterThanOrEqual(timings.detectionToQueuedMs!);

    // when the lane is clear ten minutes later
    await env.h.advance(10 * 60_000);
    await send({ plate: '浙B10004', type: 'fire-lane.cleared' });

    // then closed, no warning, no task, no penalty
    const c = await caseOf(caseId!);
    expect(c.status).toBe('closed');
    expect(await types(caseId!)).toEqual(
      expect.arrayContaining(['detected', 'fire-lane.offence', 'lane-cleared', 'fire-lane.cleared']),
    );
    expect(await types(caseId!)).not.toContain('fire-lane.penalty-notice');
    expect((await sms(caseId!)).map((n) => n.template)).toEqual(['fire-lane.notice']);
    expect(await env.h.db('task').where({ case_id: caseId })).toHaveLength(0);
    expect((await fireLaneCaseTimings(env.h.db, caseId!))!.clearedAt).not.toBeNull();
  });

  test('the owner does not move: after the grace period a warning SMS and an on-site task (fire-rescue, or the lane’s property company)', async () => {
    // when two cars stay: one in a lane the fire brigade attends, one in a residential lane of property
    const a = (await send({ plate: '浙B10006', laneId: 'YJ-01' })).caseId!;
    const b = (await send({ plate: '浙B10007', laneId: 'KP-01' })).caseId!;
    await env.h.advance(29 * 60_000);
    expect((await sms(a)).map((n) => n.template)).toEqual(['fire-lane.notice']);
    await env.h.advance(60_000 + 1000);

    // then warnings and on-site tasks
    expect((await sms(a)).map((n) => n.template)).toEqual(['fire-lane.notice', 'fire-lane.warning']);
    expect((await sms(b)).map((n) => n.template)).toEqual(['fire-lane.notice', 'fire-lane.warning']);
    expect((await env.h.openTask('onSite', { case_id: a })).department).toBe('fire-rescue');
    expect((await env.h.openTask('onSite', { case_id: b })).department).toBe('property');

    // when the brigade tows the car
    await env.h.complete('onSite', { onSiteResult: 'towed' }, { case_id: a }, 'clerk.fire-rescue');
    // and the other owner drives away while property is on its way
    await send({ plate: '浙B10007', laneId: 'KP-01', type: 'fire-lane.cleared' });

    // then both closed as handled on site
    for (const id of [a, b]) {
      expect((await caseOf(id)).status).toBe('closed');
      expect(await types(id)).toContain('fire-lane.handled');
    }
  });

  test('an unreadable or unregistered plate: no SMS, a property-management task instead', async () => {
    const unreadable = (await send({ plate: '未识别', laneId: 'HT-01' })).caseId!;
    const unregistered = (await send({ plate: '浙B99999', laneId: 'CC-01' })).caseId!;
    for (const [id, reason] of [
      [unreadable, 'unreadable'],
      [unregistered, 'not-registered'],
    ] as const) {
      expect(await sms(id)).toHaveLength(0);
      const task = await env.h.openTask('identifyOwner', { case_id: id });
      expect(task.department).toBe('property');
      expect((await env.h.events(id)).find((e) => e.type === 'vehicle.unknown')?.data.reason).toBe(reason);
      expect((await env.h.db('fire_lane_offence').where({ case_id: id }).first()).known_plate).toBe(false);
    }
    await env.h.complete(
      'identifyOwner',
      { propertyResult: 'towed', propertyNote: '联系不上车主，已拖移' },
      { case_id: unreadable },
      'clerk.property',
    );
    expect((await caseOf(unreadable)).status).toBe('closed');
  });

  test('a repeat offender: the 3rd offence in 90 days brings a penalty notice, the 6th a credit-list flag', async () => {
    const plate = '浙B10012';
    const templates: string[][] = [];
    for (let i = 1; i <= 6; i++) {
      // one offence a week: seen, notified, moves
      const { caseId } = await send({ plate, laneId: i % 2 ? 'ZQ-02' : 'YJ-02' });
      templates.push((await sms(caseId!)).map((n) => n.template));
      await send({ plate, laneId: i % 2 ? 'ZQ-02' : 'YJ-02', type: 'fire-lane.cleared' });
      const offence = await env.h.db('fire_lane_offence').where({ case_id: caseId }).first();
      expect(offence.offence_no).toBe(i);
      await env.h.advance(7 * 24 * 3600_000);
    }
    expect(templates).toEqual([
      ['fire-lane.notice'],
      ['fire-lane.notice'],
      ['fire-lane.notice', 'fire-lane.penalty'],
      ['fire-lane.notice', 'fire-lane.penalty'],
      ['fire-lane.notice', 'fire-lane.penalty'],
      ['fire-lane.notice', 'fire-lane.credit'],
    ]);
    const penalty = await env.h
      .db('notification')
      .where({ template: 'fire-lane.penalty', to_phone_hash: piiKeyring().phoneHash('13800000012') })
      .orderBy('id')
      .first();
    expect(penalty.text).toContain('90天内第3次');
    const flags = await env.h.db('credit_flag').where({ plate });
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ offence_count: 6, lifted_at: null });
  }, 120_000); // six full fire-lane cases in a row: ~20 s on an idle machine, more under load

  test('repeat detections of the same plate and lane join the open case; with a dwell threshold a brief stop opens none', async () => {
    // given an open case
    const first = await send({ plate: '浙B10013', laneId: 'CC-02' });
    // when two more cameras see the car
    const second = await send({ plate: '浙B10013', laneId: 'CC-02', deviceId: 'cam-cc-b' });
    const third = await send({ plate: '浙B10013', laneId: 'CC-02', deviceId: 'cam-cc-c' });
    // then one case, one notice
    expect([second, third]).toEqual([
      { caseId: first.caseId, merged: true },
      { caseId: first.caseId, merged: true },
    ]);
    expect(await sms(first.caseId!)).toHaveLength(1);
    expect((await env.h.db('fire_lane_offence').where({ plate: '浙B10013' })).length).toBe(1);

    // given a dwell threshold of 120 s (FIRE_LANE_DWELL_SECONDS)
    const key = await env.h.db('api_key').where({ kind: 'device' }).first('id', 'name');
    const principal = { kind: 'device' as const, keyId: key.id, name: key.name, deviceId: null };
    const service = new DeviceEventService({
      db: env.h.db,
      zbc: env.h.zbc,
      log: createLogger('silent'),
      now,
      fireLane: { ...loadFireLaneConfig({}), dwellSeconds: 120 },
    });
    const at = (s: number) => new Date(env.h.te.now() + s * 1000).toISOString();
    const ev = (plate: string, s: number, type: 'fire-lane.occupied' | 'fire-lane.cleared' = 'fire-lane.occupied') =>
      service.receive(principal, {
        deviceId: 'cam-dw',
        type,
        laneId: 'HT-01',
        plate,
        detectedAt: at(s),
        eventId: `dw-${plate}-${s}-${type}`,
      });
    // when a car stops for a minute and leaves
    expect((await ev('浙B10014', 0)).answer).toEqual({ caseId: null, merged: false });
    expect((await ev('浙B10014', 60)).answer).toEqual({ caseId: null, merged: false });
    await ev('浙B10014', 70, 'fire-lane.cleared');
    // and another stays past the threshold
    await ev('浙B10015', 0);
    await ev('浙B10015', 60);
    const opened = (await ev('浙B10015', 125)).answer;
    // then only the second opens a case, dated from its first sighting, with the earlier sightings joined
    expect(opened.caseId).toEqual(expect.any(String));
    expect(await env.h.db('fire_lane_offence').where({ plate: '浙B10014' })).toHaveLength(0);
    const offence = await env.h.db('fire_lane_offence').where({ case_id: opened.caseId }).first();
    expect(new Date(offence.detected_at).getTime()).toBe(Date.parse(at(0)));
    expect(await env.h.db('device_event').where({ case_id: opened.caseId })).toHaveLength(3);
    expect(
      (await env.h.db('device_event').where({ plate: '浙B10014' }).select('status')).map((r) => r.status).sort(),
    ).toEqual(['ignored', 'ignored', 'ignored']);
    await env.h.drive();
  });

  test('a re-delivered sms.notify job queues and sends nothing twice', async () => {
    // given the notice job of a case, delivered twice (e.g. after a job timeout)
    const created = await env.h.newCase('消防通道占用（重投测试）', { channel: 'device' });
    const job = {
      processInstanceKey: '999',
      elementId: 'notice',
      customHeaders: { template: 'fire-lane.notice' },
      variables: {
        caseId: created.id,
        notification: {
          to: '13800000016',
          key: `${created.id}:notice`,
          params: { plate: '浙B10016', lane: '甬江名邸1号楼消防登高面', minutes: '30' },
        },
      },
    };
    const outputs: unknown[] = [];
    const handler = createSmsNotifyHandler({ db: env.h.db, now, wake: () => void dispatcher.wake() });
    const complete = async (v: unknown) => outputs.push(v);
    // when both deliveries run
    await handler({ ...job, complete, fail: async () => undefined });
    await handler({ ...job, complete, fail: async () => undefined });
    await dispatcher.idle();
    await dispatcher.runOnce();
    // then one row, one send, the same answer twice
    expect(await sms(created.id)).toHaveLength(1);
    expect(provider.sent.filter((s) => s.caseId === created.id)).toHaveLength(1);
    expect((outputs[0] as { smsId: string }).smsId).toBe((outputs[1] as { smsId: string }).smsId);
  });

  test('the notice reaches the provider as soon as the instance exists, before any job runs; the model’s notice task then sends nothing twice', async () => {
    // given a dispatcher running in this process, as the platform runs one
    const live = new RecordingProvider();
    const running = new Dispatcher({ db: env.h.db, provider: live, now, pollIntervalMs: 3_600_000 });
    running.start();
    try {
      await running.idle();
      // when a camera sees 浙B10005, and no job has been driven yet
      const body = {
        deviceId: 'cam-yj',
        type: 'fire-lane.occupied',
        laneId: 'YJ-02',
        plate: '浙B10005',
        detectedAt: now().toISOString(),
        eventId: `fl-${++seq}`,
      };
      const r = await env.app
        .client()
        .post('/api/device-events', body, { headers: { authorization: `Bearer ${CAMERA_KEY}` } });
      expect(r.status).toBe(202);
      const caseId = (r.body as { caseId: string }).caseId;
      await running.idle();
      // then the notice has already been handed to the provider
      expect(live.sent.filter((s) => s.caseId === caseId).map((s) => s.template)).toEqual(['fire-lane.notice']);
      expect((await findByKey(env.h.db, `${caseId}:notice`))!).toMatchObject({
        status: 'sent',
        to_phone: '13800000005',
      });
      // when the instance runs its look-up, notice and offence tasks
      await env.h.drive();
      await running.idle();
      // then the notice task completed with that message: one row, one send, and the model went on
      expect(await sms(caseId)).toHaveLength(1);
      expect(live.sent.filter((s) => s.caseId === caseId)).toHaveLength(1);
      expect(await types(caseId)).toEqual(expect.arrayContaining(['detected', 'accepted', 'fire-lane.offence']));
    } finally {
      await running.stop();
    }
  });

  test('a provider outage delays notices, never loses them; after recovery every one is delivered exactly once (webhook double)', async () => {
    // given a district SMS gateway that is down
    let up = false;
    const gateway = await startHttpDouble(() =>
      up ? { status: 200, body: { messageId: 'gw' } } : { status: 503, body: 'maintenance' },
    );
    let clock = env.h.te.now();
    const webhook = new Dispatcher({
      db: env.h.db,
      provider: new WebhookProvider({ url: gateway.url }),
      now: () => new Date(clock),
      random: () => 0.5,
    });
    try {
      // when five cars are seen during the outage
      const ids: string[] = [];
      for (const plate of ['浙B10017', '浙B10018', '浙B10019', '浙B10020', '浙B10008'])
        ids.push((await send({ plate, laneId: 'CC-01' })).caseId!);
      for (let round = 0; round < 3; round++) {
        await webhook.runOnce();
        clock += 10 * 60_000;
      }
      // then nothing is lost: queued for a retry, attempts counted, the error kept
      for (const id of ids) {
        const n = (await findByKey(env.h.db, `${id}:notice`))!;
        expect(n.status).toBe('queued');
        expect(n.attempts).toBeGreaterThanOrEqual(2);
        expect(n.last_error).toContain('503');
      }
      // when the gateway is back
      up = true;
      clock += 60 * 60_000;
      await webhook.runOnce();
      await webhook.runOnce();
      // then every notice was accepted exactly once
      const accepted = gateway.requests.slice(-ids.length).map((r) => JSON.parse(r.body).caseId);
      expect(accepted.sort()).toEqual([...ids].sort());
      for (const id of ids) expect((await findByKey(env.h.db, `${id}:notice`))!.status).toBe('sent');
      const idemKeys = gateway.requests.map((r) => r.headers['idempotency-key']);
      expect(new Set(idemKeys).size).toBe(ids.length);
    } finally {
      await gateway.close();
    }
  });

  test('the Aliyun SendSms adapter delivers a fire-lane notice to a local double of the API', async () => {
    const aliyun = await startHttpDouble(() => ({
      status: 200,
      body: { Code: 'OK', Message: 'OK', BizId: '900619746936498440^0', RequestId: 'req-1' },
    }));
    try {
      const d = new Dispatcher({
        db: env.h.db,
        now,
        provider: new AliyunSmsProvider({
          accessKeyId: 'LTAI5tFireLane',
          accessKeySecret: 'secret',
          signName: '江北消防',
          templateCodes: { 'fire-lane.notice': 'SMS_465000001' },
          endpoint: aliyun.url,
        }),
      });
      const { caseId } = await send({ plate: '浙B10009', laneId: 'ZQ-02' });
      await d.runOnce();
      const params = Object.fromEntries(new URLSearchParams(aliyun.requests[0].body));
      expect(params).toMatchObject({
        Action: 'SendSms',
        PhoneNumbers: '13800000009',
        SignName: '江北消防',
        TemplateCode: 'SMS_465000001',
      });
      expect(JSON.parse(params.TemplateParam)).toMatchObject({
        plate: '浙B10009',
        lane: '庄桥花园地下车库入口登高场地',
        minutes: '30',
      });
      expect((await findByKey(env.h.db, `${caseId}:notice`))!).toMatchObject({
        status: 'sent',
        provider: 'aliyun',
        provider_message_id: '900619746936498440^0',
      });
    } finally {
      await aliyun.close();
    }
  });

  test('figures per lane and compound: detections, cases, SMS, owners who moved, on-site cases, repeat offences', async () => {
    const f = await fireLaneFigures(env.h.db, { since: new Date(0), until: new Date(env.h.te.now() + 3600_000) });
    expect(f.total.cases).toBeGreaterThanOrEqual(15);
    expect(f.total.detections).toBeGreaterThan(f.total.cases);
    expect(f.total.penaltyNotices).toBe(4);
    expect(f.total.creditFlags).toBe(1);
    expect(f.total.unknownPlates).toBe(2);
    const zq = f.compounds.find((c) => c.key === 'compound:庄桥花园')!;
    expect(zq.movedAfterNotice).toBeGreaterThanOrEqual(1);
    expect(f.lanes.find((l) => l.key === 'lane:YJ-01')).toMatchObject({
      label: '甬江名邸1号楼消防登高面',
      compound: '甬江名邸',
      onSite: 1,
    });
    expect(f.total.medianDetectionToSentMs).not.toBeNull();
  });
});
