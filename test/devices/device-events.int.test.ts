import { handleSmsNotify } from '../../workers/sms-notify';
import { deployProcesses } from '../../domain/processes/deploy';
import { upsertVehicles } from '../../domain/fire-lane/vehicle-registry';
import { CAMERA_KEY, OPEN311_KEY, startOpen311Env, type Open311Env } from '../open311/env';

/** POST /api/device-events: fire-lane detections open or join a case and start the `fire-lane` model. */
describe('device events (fire-lane cameras)', () => {
  let env: Open311Env;
  beforeAll(async () => {
    env = await startOpen311Env();
  });
  afterAll(() => env.stop());

  let seq = 0;
  const event = (over: Record<string, unknown> = {}) => ({
    deviceId: 'cam-zq-03',
    type: 'fire-lane.occupied',
    laneId: 'L-07',
    plate: '浙B10001',
    detectedAt: new Date(env.h.te.now()).toISOString(),
    imageUrl: `https://cam.example/zq03/${++seq}.jpg`,
    eventId: `evt-${seq}-${Date.now()}`,
    ...over,
  });
  const send = (body: unknown, opts: { key?: string | null; headers?: Record<string, string> } = {}) =>
    env.app.client().post('/api/device-events', body, {
      headers: {
        ...(opts.key === null ? {} : { authorization: `Bearer ${opts.key ?? CAMERA_KEY}` }),
        ...opts.headers,
      },
    });
  const count = async (table: string, where: Record<string, unknown> = {}) =>
    Number((await env.h.db(table).where(where).count<{ n: string }[]>({ n: '*' }))[0].n);

  /** Plays the owner look-up (the registry is another issue's) and runs the real sms.notify handler. */
  const jobOf = async (type: string, pi: string) => {
    await env.h.te.waitForIdle();
    // Other tests' instances wait at the look-up too; they stay activated until their timeout.
    const jobs = await env.h.zbc.activateJobs({
      type,
      worker: 'test',
      maxJobsToActivate: 50,
      timeout: 60_000,
      requestTimeout: -1,
    } as never);
    const job = jobs.find((j) => j.processInstanceKey === pi);
    if (!job) throw new Error(`Expected a ${type} job of instance ${pi}, but got none`);
    return job;
  };
  const lookupAndNotice = async (pi: string) => {
    const lookup = await jobOf('vehicle.lookup', pi);
    await env.h.zbc.completeJob({
      jobKey: lookup.key,
      variables: { vehicleOwner: { name: '车主', phone: '13700000001' } },
    });
    const sms = await jobOf('sms.notify', pi);
    const out = await handleSmsNotify({ db: env.h.db, now: () => new Date(env.h.te.now()) }, sms);
    await env.h.zbc.completeJob({ jobKey: sms.key, variables: out });
    await env.h.drive(); // the repeat-offence count after the notice
  };

  test('a first detection opens a fire-lane case and starts the model; a repeat joins it; a replay changes nothing', async () => {
    // when the camera sees the car
    const first = event();
    const r1 = await send(first);

    // then a device case with the fire-lane lead, running the fire-lane model
    expect(r1.status).toBe(202);
    expect(r1.body).toEqual({ caseId: expect.any(String), merged: false });
    const c = await env.h.db('case').where({ id: r1.body.caseId }).first();
    expect(c).toMatchObject({
      channel: 'device',
      scenario: 'fire-lane',
      lead_department: 'fire-rescue',
      status: 'handling',
      situation_code: 'C05-M01-S01',
    });
    await env.h.te.isWaitingAtElements(c.process_instance_key, ['lookup']);
    expect(await env.h.te.variable(c.process_instance_key, 'plate')).toBe('浙B10001');
    expect(await env.h.te.variable(c.process_instance_key, 'graceDuration')).toBe('PT30M'); // FIRE_LANE_GRACE default
    const stored = await env.h.db('device_event').where({ client_event_id: first.eventId }).first();
    expect(stored).toMatchObject({
      status: 'processed',
      case_id: c.id,
      merged: false,
      lane_id: 'L-07',
      plate: '浙B10001',
    });
    expect(stored.received_at).toBeTruthy();

    // when the same car is seen again (another camera on the lane)
    const r2 = await send(event({ deviceId: 'cam-zq-04' }));

    // then it joins the open case
    expect(r2.status).toBe(202);
    expect(r2.body).toEqual({ caseId: c.id, merged: true });
    expect((await env.h.events(c.id)).filter((e) => e.type === 'detection-merged')).toHaveLength(1);
    const attachments = (await env.h.db('case').where({ id: c.id }).first()).attachments;
    expect((typeof attachments === 'string' ? JSON.parse(attachments) : attachments).length).toBe(2);
    expect(await count('case', { scenario: 'fire-lane', channel: 'device' })).toBe(1);

    // when the first event is delivered again
    const eventsBefore = await count('case_event', { case_id: c.id });
    const replay = await send(first);

    // then the same answer, marked as a replay, and no second effect
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(r1.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await count('device_event', { client_event_id: first.eventId })).toBe(1);
    expect(await count('case_event', { case_id: c.id })).toBe(eventsBefore);
  });

  test('the Idempotency-Key header works like eventId; both given must agree', async () => {
    // given an event without eventId, sent with a header
    const body = event({ plate: '浙B10002', eventId: undefined });
    const key = `idem-${Date.now()}`;
    const r1 = await send(body, { headers: { 'idempotency-key': key } });
    const r2 = await send(body, { headers: { 'idempotency-key': key } });
    const mismatch = await send(event({ plate: '浙B10002' }), { headers: { 'idempotency-key': 'other' } });

    // then
    expect(r1.status).toBe(202);
    expect(r1.body.merged).toBe(false);
    expect(r2.body).toEqual(r1.body);
    expect(r2.headers.get('idempotent-replayed')).toBe('true');
    expect(await count('device_event', { client_event_id: key })).toBe(1);
    expect(mismatch.status).toBe(400);
  });

  test('lane cleared: the waiting model gets fire-lane.cleared and closes the case; the next detection opens a new one', async () => {
    // given a case whose owner got the notice and whose model waits for the lane to clear
    const opened = await send(event({ plate: '浙B10003', laneId: 'L-09' }));
    const c = await env.h.db('case').where({ id: opened.body.caseId }).first();
    await lookupAndNotice(c.process_instance_key);
    await env.h.te.isWaitingAtElements(c.process_instance_key, ['awaitCleared']);

    // when the camera sees the lane free
    const cleared = await send(
      event({ plate: '浙B10003', laneId: 'L-09', type: 'fire-lane.cleared', imageUrl: undefined }),
    );

    // then the message correlates, the model closes the case
    expect(cleared.status).toBe(202);
    expect(cleared.body).toEqual({ caseId: c.id, merged: false });
    await env.h.te.hasPassedElement(c.process_instance_key, 'cleared');
    await env.h.drive();
    await env.h.te.isCompleted(c.process_instance_key);
    expect((await env.h.db('case').where({ id: c.id }).first()).status).toBe('closed');
    expect((await env.h.events(c.id)).map((e) => e.type)).toEqual(
      expect.arrayContaining(['reported', 'detected', 'accepted', 'lane-cleared', 'fire-lane.cleared']),
    );
    expect(
      (await env.h.db('notification').where({ case_id: c.id })).map((n: { template: string }) => n.template),
    ).toEqual(['fire-lane.notice']);

    // when the car is back later
    const again = await send(event({ plate: '浙B10003', laneId: 'L-09' }));
    // then a new case
    expect(again.body.merged).toBe(false);
    expect(again.body.caseId).not.toBe(c.id);

    // and a cleared lane without an open case is accepted, and ignored
    const nothing = await send(event({ plate: '浙B19999', type: 'fire-lane.cleared' }));
    expect(nothing.status).toBe(202);
    expect(nothing.body).toEqual({ caseId: null, merged: false });
  });

  test('only device keys; a key bound to a device posts only that device’s events; bodies are validated', async () => {
    // given a key bound to cam-9
    const { key: bound } = await env.app.app.locals.auth.apiKeys.create(
      { kind: 'device', name: 'camera 9', deviceId: 'cam-9' },
      'admin',
    );

    // when / then
    expect((await send(event(), { key: null })).status).toBe(401);
    expect((await send(event(), { key: 'nope' })).status).toBe(401);
    expect((await send(event(), { key: OPEN311_KEY })).status).toBe(403);
    expect((await send(event({ deviceId: 'cam-1' }), { key: bound })).status).toBe(403);
    expect((await send(event({ deviceId: 'cam-9', plate: '浙B10009' }), { key: bound })).status).toBe(202);
    const bad = await send({ ...event(), plate: undefined, type: 'fire-lane.parked', detectedAt: '2026-11-27 09:00' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['detectedAt', 'plate', 'type']);
  });

  test('the route is documented in the OpenAPI document with its 202 answer', () => {
    const op = env.app.app.locals.openApi().paths['/api/device-events'].post;
    expect(op['x-access']).toEqual(['device']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '403', '409', '503']));
  });

  test('when the engine cannot start the model: 503, the case is cancelled with the reason, and a retry of the event succeeds', async () => {
    // given an engine without the fire-lane model
    const bare = await startOpen311Env({ deploy: false });
    try {
      await upsertVehicles(bare.h.db, [
        { plate: '浙B10010', ownerName: '车主', ownerPhone: '13700000010', compound: null },
      ]);
      const body = {
        deviceId: 'cam-x',
        type: 'fire-lane.occupied',
        laneId: 'L-01',
        plate: '浙B10010',
        detectedAt: new Date().toISOString(),
        eventId: 'evt-fail-1',
      };
      // when
      const failed = await bare.app
        .client()
        .post('/api/device-events', body, { headers: { authorization: `Bearer ${CAMERA_KEY}` } });
      // then
      expect(failed.status).toBe(503);
      const cancelled = await bare.h.db('case').where({ scenario: 'fire-lane' }).first();
      expect(cancelled.status).toBe('cancelled');
      expect((await bare.h.events(cancelled.id)).map((e) => e.type)).toContain('process.start-failed');
      expect((await bare.h.db('device_event').where({ client_event_id: 'evt-fail-1' }).first()).status).toBe('failed');
      // and the notice queued with the case was dropped, never sent: no process, no SMS
      expect(await bare.h.db('notification').where({ case_id: cancelled.id })).toEqual([
        expect.objectContaining({
          status: 'failed',
          attempts: 0,
          status_reason: expect.stringContaining('did not start'),
        }),
      ]);

      // when the model is deployed and the camera retries the same event
      await deployProcesses(bare.h.zbc, { db: bare.h.db });
      const retried = await bare.app
        .client()
        .post('/api/device-events', body, { headers: { authorization: `Bearer ${CAMERA_KEY}` } });
      // then a fresh case runs
      expect(retried.status).toBe(202);
      expect(retried.body.merged).toBe(false);
      expect(retried.body.caseId).not.toBe(cancelled.id);
      expect((await bare.h.db('device_event').where({ client_event_id: 'evt-fail-1' }).first()).status).toBe(
        'processed',
      );
      // and its notice is due for the dispatcher (none runs in this process, so it was released, not handed over)
      const [notice] = await bare.h.db('notification').where({ case_id: retried.body.caseId });
      expect(notice).toMatchObject({
        status: 'queued',
        template: 'fire-lane.notice',
        idempotency_key: `${retried.body.caseId}:notice`,
      });
      expect(notice.next_attempt_at).not.toBeNull();
    } finally {
      await bare.stop();
    }
  });
});
