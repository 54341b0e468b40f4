import { get, OPEN311_KEY, postForm, startOpen311Env, validForm, type Open311Env } from './env';
import { openCase } from '../../domain/privacy/personal-data';
import {
  errorsSchema,
  extendedRequestsSchema,
  postResponseSchema,
  requestsSchema,
  tokenSchema,
  updatesSchema,
  validator,
} from './schemas';
import { childNames, parseXml, XML_DECLARATION } from './xml';
import { CaseStarter, START_BACKOFF_MIN_MS } from '../../domain/cases/pending-start';
import { deployProcesses } from '../../domain/processes/deploy';
import { createLogger } from '../../platform/logger';

const DAY = 24 * 3600_000;

/** POST and GET service requests, tokens and updates (reference/open311.md §1.2, §1.4, §1.5, §1.7). */
describe('Open311 service requests', () => {
  let env: Open311Env;
  beforeAll(async () => {
    env = await startOpen311Env();
  });
  afterAll(() => env.stop());

  const errorsOf = (text: string) => JSON.parse(text) as Array<{ code: number; description: string }>;

  test('a POST files a case through the one window and answers the service_request_id (JSON)', async () => {
    // when
    const res = await postForm(
      env,
      '/open311/v2/requests.json',
      validForm([
        ['media_url', 'https://img.example.com/a.jpg'],
        ['account_id', 'acc-7'],
      ]),
    );

    // then
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    validator(postResponseSchema)(body);
    expect(body[0].service_request_id).toMatch(/^JB\d{8}-\d{6}$/);
    expect(body[0].account_id).toBe('acc-7');
    expect(body[0].service_notice).toContain('流动摊贩占道经营');
    expect(body[0].token).toBeUndefined();

    // and the case is an open311 case with the reporter, location, photo and the chosen situation
    // (name and phone are sealed at rest; openCase reads them as the platform does)
    const c = openCase(await env.h.db('case').where({ case_no: body[0].service_request_id }).first());
    expect(c).toMatchObject({
      channel: 'open311',
      reporter_name: '晓明 王',
      reporter_phone: '13800000001',
      matter_code: 'C01-M01',
      situation_code: 'C01-M01-S01',
    });
    expect(c.lat).toBeCloseTo(29.9021);
    expect(c.process_instance_key).toMatch(/^\d+$/);
    const attachments = typeof c.attachments === 'string' ? JSON.parse(c.attachments) : c.attachments;
    expect(attachments).toEqual([{ url: 'https://img.example.com/a.jpg', source: 'open311' }]);
    const events = (await env.h.events(c.id)).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['reported', 'open311.received']));
    const received = (await env.h.events(c.id)).find((e) => e.type === 'open311.received')!;
    expect(received.data).toMatchObject({ email: 'wang@example.com', accountId: 'acc-7', situation: 'C01-M01-S01' });

    // and the one window runs for it
    await env.h.te.hasPassedElement(c.process_instance_key, 'received');
  });

  test('the XML answer is <service_requests><request> with the id', async () => {
    // when
    const res = await postForm(env, '/open311/v2/requests.xml', validForm());

    // then
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('text/xml; charset=utf-8');
    expect(res.text.startsWith(XML_DECLARATION)).toBe(true);
    const requests = parseXml(res.text, ['request']).service_requests.request;
    expect(requests).toHaveLength(1);
    expect(childNames(requests[0])).toEqual(['account_id', 'service_notice', 'service_request_id']);
    expect(requests[0].service_request_id).toMatch(/^JB\d{8}-\d{6}$/);
  });

  test('api_key: missing, unknown or of another kind is a 403 error list', async () => {
    const without = validForm().filter(([k]) => k !== 'api_key');
    // when
    const missing = await postForm(env, '/open311/v2/requests.json', without);
    const unknown = await postForm(env, '/open311/v2/requests.xml', [...without, ['api_key', 'not-a-key']]);
    const device = await postForm(env, '/open311/v2/requests.json', [...without, ['api_key', 'demo-camera-key']]);
    const empty = await postForm(env, '/open311/v2/requests.json', [...without, ['api_key', '']]);

    // then
    for (const r of [missing, device, empty]) {
      expect(r.status).toBe(403);
      validator(errorsSchema)(errorsOf(r.text));
      expect(errorsOf(r.text)[0].code).toBe(403);
    }
    expect(unknown.status).toBe(403);
    expect(parseXml(unknown.text, ['error']).errors.error[0].code).toBe('403');
  });

  test('an unknown service_code is 404; missing fields and bad values are 400 with every problem listed', async () => {
    // when
    const unknownService = await postForm(
      env,
      '/open311/v2/requests.json',
      validForm().map(([k, v]) => [k, k === 'service_code' ? 'NOPE' : v]),
    );
    const noLocation = await postForm(
      env,
      '/open311/v2/requests.json',
      validForm().filter(([k]) => k !== 'lat' && k !== 'long'),
    );
    const badSituation = await postForm(
      env,
      '/open311/v2/requests.json',
      validForm().map(([k, v]) => [k, k === 'attribute[situation]' ? 'C02-M01-S01' : v]),
    );
    const several = await postForm(env, '/open311/v2/requests.json', [
      ...validForm().filter(([k]) => !['long', 'attribute[situation]', 'description'].includes(k)),
      ['description', 'x'.repeat(4001)],
    ]);
    const noService = await postForm(
      env,
      '/open311/v2/requests.json',
      validForm().filter(([k]) => k !== 'service_code'),
    );
    const jsonBody = await fetch(`${env.app.url}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: OPEN311_KEY }),
    });

    // then
    expect(unknownService.status).toBe(404);
    expect(noLocation.status).toBe(400);
    expect(
      errorsOf(noLocation.text)
        .map((e) => e.description)
        .join(),
    ).toContain('location is required');
    expect(badSituation.status).toBe(400);
    expect(errorsOf(badSituation.text)[0].description).toContain('C02-M01-S01');
    expect(several.status).toBe(400);
    const descriptions = errorsOf(several.text).map((e) => e.description);
    expect(descriptions).toHaveLength(3); // lat without long, description too long, situation missing
    expect(descriptions.join('\n')).toMatch(/lat and long[\s\S]*4000[\s\S]*attribute\[situation\] is required/);
    expect(noService.status).toBe(400);
    expect(jsonBody.status).toBe(400);
    for (const r of [noLocation, badSituation, several, noService]) validator(errorsSchema)(errorsOf(r.text));
  });

  test('address_string or address_id alone is a location (FixMyStreet sends #NOTPINPOINTED#)', async () => {
    const noLatLong = validForm().filter(([k]) => k !== 'lat' && k !== 'long');
    // when
    const address = await postForm(env, '/open311/v2/requests.json', [
      ...noLatLong,
      ['address_string', '宁波市江北区人民路 132 号'],
    ]);
    const addressId = await postForm(env, '/open311/v2/requests.json', [
      ...noLatLong,
      ['address_id', '#NOTPINPOINTED#'],
    ]);
    // then
    expect(address.status).toBe(200);
    expect(addressId.status).toBe(200);
    const c = await env.h
      .db('case')
      .where({ case_no: JSON.parse(address.text)[0].service_request_id })
      .first();
    expect(c.address).toBe('宁波市江北区人民路 132 号');
  });

  test('GET requests/:id answers an array of one request; XML escapes what the reporter typed', async () => {
    // given a report with markup, an ampersand and a control character in its text
    const tricky = '<b>积水</b> & "泥泞" \'路面\'\u0007 A&B';
    const posted = await postForm(
      env,
      '/open311/v2/requests.json',
      validForm().map(([k, v]) => [k, k === 'description' ? tricky : v]),
    );
    const id = JSON.parse(posted.text)[0].service_request_id;

    // when
    const json = await get(env, `/open311/v2/requests/${id}.json`);
    const xml = await get(env, `/open311/v2/requests/${id}.xml`);

    // then
    const requests = JSON.parse(json.text);
    validator(requestsSchema)(requests);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      service_request_id: id,
      status: 'open',
      service_code: 'C01-M01',
      description: tricky,
      lat: 29.9021,
      long: 121.5532,
    });
    expect(requests[0].requested_datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);

    expect(xml.text).toContain('&lt;b&gt;积水&lt;/b&gt; &amp; &quot;泥泞&quot;');
    expect(xml.text).not.toContain('\u0007');
    const request = parseXml(xml.text, ['request']).service_requests.request[0];
    expect(childNames(request)).toEqual(Object.keys(requestsSchemaProperties()).sort());
    expect(request.description).toBe(tricky.replace('\u0007', ''));

    const missing = await get(env, '/open311/v2/requests/JB00000000-000000.json');
    expect(missing.status).toBe(404);
  });

  test('a closed case is `closed` with the close time, its notes and the agency; extensions=true adds the timeline', async () => {
    // given a filed request, handled and closed by the departments
    const posted = await postForm(env, '/open311/v2/requests.json', validForm());
    const id = JSON.parse(posted.text)[0].service_request_id;
    const c = await env.h.db('case').where({ case_no: id }).first();
    await env.h.drive();
    await env.h.complete(
      'leadHandle',
      { handlingOutcome: 'handled', leadOpinion: '已劝离' },
      { case_id: c.id },
      'clerk.enforcement',
    );
    await env.h.complete('collaborate', { collabOpinion: '已巡查' }, { case_id: c.id }, 'clerk.street-kongpu');
    await env.h.complete('consolidate', { handlingResult: '已劝离摊贩' }, { case_id: c.id }, 'clerk.enforcement');
    await env.h.complete('replyReporter', { replyText: '摊贩已劝离。' }, { case_id: c.id }, 'clerk.enforcement');

    // when
    const plain = JSON.parse((await get(env, `/open311/v2/requests/${id}.json`)).text)[0];
    const extended = JSON.parse((await get(env, `/open311/v2/requests/${id}.json?extensions=true`)).text);
    const xml = parseXml((await get(env, `/open311/v2/requests/${id}.xml?extensions=true`)).text, ['request', 'note']);

    // then
    const row = await env.h.db('case').where({ id: c.id }).first();
    expect(plain).toMatchObject({ status: 'closed', agency_responsible: '区综合行政执法局', service_code: 'C01-M01' });
    expect(plain.status_notes).toContain('摊贩已劝离');
    expect(Date.parse(plain.updated_datetime)).toBe(Math.floor(new Date(row.closed_at).getTime() / 1000) * 1000);
    validator(extendedRequestsSchema)(extended);
    expect(extended[0].extended_attributes).toMatchObject({
      channel: 'open311',
      situation_code: 'C01-M01-S01',
      lead_department: 'enforcement',
    });
    expect(extended[0].notes.map((n: any) => n.type)).toEqual(
      expect.arrayContaining(['reported', 'accepted', 'dispatched', 'replied', 'closed']),
    );
    const notes = xml.service_requests.request[0].notes.note;
    expect(notes.length).toBe(extended[0].notes.length);
    expect(childNames(notes[0])).toEqual(['datetime', 'description', 'type']);
    expect(childNames(xml.service_requests.request[0].extended_attributes)).toContain('channel');

    // and the status filter sees it closed
    const closed = JSON.parse((await get(env, '/open311/v2/requests.json?status=closed')).text);
    expect(closed.map((r: any) => r.service_request_id)).toContain(id);
    const open = JSON.parse((await get(env, '/open311/v2/requests.json?status=open')).text);
    expect(open.map((r: any) => r.service_request_id)).not.toContain(id);
  });

  test('GET requests: service_request_id list overrides other filters; service_code, dates, paging', async () => {
    // given three requests and one of another service
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(JSON.parse((await postForm(env, '/open311/v2/requests.json', validForm())).text)[0].service_request_id);
    const other = await postForm(env, '/open311/v2/requests.json', [
      ...validForm().filter(([k]) => k !== 'service_code' && k !== 'attribute[situation]'),
      ['service_code', 'C05-M01'],
      ['attribute[situation]', 'C05-M01-S02'],
    ]);
    const otherId = JSON.parse(other.text)[0].service_request_id;
    // and one filed 100 days ago
    const old = ids[0];
    await env.h
      .db('case')
      .where({ case_no: old })
      .update({ created_at: new Date(env.h.te.now() - 100 * DAY) });

    // when / then: the id list wins over a filter that would exclude them
    const byIds = JSON.parse(
      (
        await get(
          env,
          `/open311/v2/requests.json?service_request_id=${ids.join(',')}&service_code=C05-M01&status=closed`,
        )
      ).text,
    );
    expect(byIds.map((r: any) => r.service_request_id).sort()).toEqual([...ids].sort());

    // the default window is the last 90 days
    const all = JSON.parse((await get(env, '/open311/v2/requests.json')).text);
    validator(requestsSchema)(all);
    expect(all.map((r: any) => r.service_request_id)).not.toContain(old);
    expect(all.map((r: any) => r.service_request_id)).toContain(ids[1]);

    // service_code (comma list)
    const fireLane = JSON.parse((await get(env, '/open311/v2/requests.json?service_code=C05-M01')).text);
    expect(fireLane.map((r: any) => r.service_request_id)).toEqual([otherId]);
    const both = JSON.parse((await get(env, '/open311/v2/requests.json?service_code=C05-M01,C01-M01')).text);
    expect(both.map((r: any) => r.service_request_id)).toEqual(
      all.filter((r: any) => ['C05-M01', 'C01-M01'].includes(r.service_code)).map((r: any) => r.service_request_id),
    );

    // an explicit range reaches back; start_date alone covers 90 days from it ("+" sent unescaped works too)
    const start = new Date(env.h.te.now() - 101 * DAY).toISOString();
    const end = new Date(env.h.te.now() - 99 * DAY).toISOString();
    const back = JSON.parse((await get(env, `/open311/v2/requests.json?start_date=${start}&end_date=${end}`)).text);
    expect(back.map((r: any) => r.service_request_id)).toEqual([old]);
    const shanghai = '2020-01-01T08:00:00+08:00';
    const unescaped = await get(env, `/open311/v2/requests.json?start_date=${shanghai}`);
    expect(unescaped.status).toBe(200);

    // a range over 90 days, a reversed range, a date without zone, a bad status are 400
    for (const q of [
      `start_date=${new Date(env.h.te.now() - 91 * DAY).toISOString()}&end_date=${new Date(env.h.te.now()).toISOString()}`,
      `start_date=${end}&end_date=${start}`,
      'start_date=2026-11-01T00:00:00',
      'status=pending',
      'page=0',
      'page_size=1001',
    ]) {
      const r = await get(env, `/open311/v2/requests.json?${q}`);
      expect({ q, status: r.status }).toEqual({ q, status: 400 });
      validator(errorsSchema)(errorsOf(r.text));
    }

    // paging: newest first, pages do not overlap and cover the list
    const page1 = JSON.parse((await get(env, '/open311/v2/requests.json?page_size=2&page=1')).text);
    const page2 = JSON.parse((await get(env, '/open311/v2/requests.json?page_size=2&page=2')).text);
    expect(page1).toHaveLength(2);
    expect([...page1, ...page2].map((r: any) => r.service_request_id)).toEqual(
      all.slice(0, page1.length + page2.length).map((r: any) => r.service_request_id),
    );
    expect(Date.parse(page1[0].requested_datetime)).toBeGreaterThanOrEqual(Date.parse(page1[1].requested_datetime));
    const xmlPage = parseXml((await get(env, '/open311/v2/requests.xml?page_size=2&page=1')).text, ['request']);
    expect(xmlPage.service_requests.request.map((r: any) => r.service_request_id)).toEqual(
      page1.map((r: any) => r.service_request_id),
    );
  });

  test('tokens/:token answers the service_request_id; an unknown token is 404', async () => {
    // given the token the server keeps for a request
    const id = JSON.parse((await postForm(env, '/open311/v2/requests.json', validForm())).text)[0].service_request_id;
    const { open311_token: token } = await env.h.db('case').where({ case_no: id }).first('open311_token');

    // when
    const json = await get(env, `/open311/v2/tokens/${token}.json`);
    const xml = await get(env, `/open311/v2/tokens/${token}.xml`);
    const unknown = await get(env, '/open311/v2/tokens/0000.xml');

    // then
    validator(tokenSchema)(JSON.parse(json.text));
    expect(JSON.parse(json.text)).toEqual([{ service_request_id: id, token }]);
    expect(parseXml(xml.text, ['request']).service_requests.request[0]).toEqual({ service_request_id: id, token });
    expect(unknown.status).toBe(404);
  });

  test('servicerequestupdates lists the public timeline with mySociety statuses in the date range', async () => {
    // given a request the one window accepted and dispatched
    const id = JSON.parse((await postForm(env, '/open311/v2/requests.json', validForm())).text)[0].service_request_id;
    await env.h.drive();
    const from = new Date(env.h.te.now() - DAY).toISOString();
    const to = new Date(env.h.te.now() + DAY).toISOString();

    // when
    const json = await get(
      env,
      `/open311/v2/servicerequestupdates.json?start_date=${from}&end_date=${to}&api_key=${OPEN311_KEY}`,
    );
    const xml = await get(env, `/open311/v2/servicerequestupdates.xml?start_date=${from}&end_date=${to}`);
    const tooLong = await get(
      env,
      `/open311/v2/servicerequestupdates.json?start_date=2020-01-01T00:00:00Z&end_date=${to}`,
    );

    // then
    const updates = JSON.parse(json.text);
    validator(updatesSchema)(updates);
    const mine = updates.filter((u: any) => u.service_request_id === id);
    expect(mine.map((u: any) => u.status)).toEqual(expect.arrayContaining(['OPEN', 'INVESTIGATING']));
    expect(mine.find((u: any) => u.status === 'INVESTIGATING').description).toContain('区综合行政执法局');
    const items = parseXml(xml.text, ['request_update']).service_request_updates.request_update;
    expect(items.length).toBe(updates.length);
    expect(childNames(items[0])).toEqual([
      'description',
      'media_url',
      'service_request_id',
      'status',
      'update_id',
      'updated_datetime',
    ]);
    expect(tooLong.status).toBe(400);
  });

  test('when the engine cannot start the one window, the request is still filed and started once it can', async () => {
    // given an app on an engine without the case-intake model
    const bare = await startOpen311Env({ deploy: false });
    try {
      // when a request is posted
      const res = await postForm(bare, '/open311/v2/requests.json', validForm());

      // then the client gets its service_request_id at once, and the case waits for its process
      expect(res.status).toBe(200);
      const id = JSON.parse(res.text)[0].service_request_id;
      expect(id).toMatch(/^JB\d{8}-\d{6}$/);
      const c = await bare.h.db('case').where({ case_no: id }).first();
      expect(c.process_instance_key).toBeNull();
      const pending = await bare.h.db('case_pending_start').where({ case_id: c.id }).first();
      expect(pending).toMatchObject({ bpmn_process_id: 'case-intake', attempts: 1 });
      expect(pending.last_error).toContain('case-intake');
      expect((await bare.h.events(c.id)).map((e) => e.type)).toEqual(['reported', 'open311.received']);

      // when the model is deployed and the starter loop runs after the back-off
      await deployProcesses(bare.h.zbc, { db: bare.h.db });
      const starter = new CaseStarter({
        db: bare.h.db,
        zbc: bare.h.zbc,
        log: createLogger('silent'),
        now: () => new Date(bare.h.te.now() + START_BACKOFF_MIN_MS),
      });
      expect(await starter.runOnce()).toEqual({ started: 1, deferred: 0 });

      // then the one window runs for the case, and the variables Open311 gave are there
      const after = await bare.h.db('case').where({ id: c.id }).first();
      expect(after.process_instance_key).toMatch(/^\d+$/);
      await bare.h.te.hasPassedElement(after.process_instance_key, 'received');
      expect(await bare.h.db('case_pending_start').where({ case_id: c.id }).first()).toBeUndefined();
      expect((await bare.h.events(c.id)).map((e) => e.type)).toContain('process.started');
    } finally {
      await bare.stop();
    }
  });

  test('a retry with the same service_request_id_ext files one case; different content is refused (code 422)', async () => {
    // given a FixMyStreet-style report with its own id
    const form = validForm([['attribute[service_request_id_ext]', 'fms-4711']]);
    const first = await postForm(env, '/open311/v2/requests.json', form);
    expect(first.status).toBe(200);
    const id = JSON.parse(first.text)[0].service_request_id;

    // when the client retries the same form
    const again = await postForm(env, '/open311/v2/requests.json', form);

    // then it gets the same service_request_id and no second case exists
    expect(again.status).toBe(200);
    expect(JSON.parse(again.text)[0].service_request_id).toBe(id);
    expect(Number((await env.h.db('case').where({ external_id: 'fms-4711' }).count({ n: '*' }))[0].n)).toBe(1);

    // when the same id comes with another description
    const changed = await postForm(
      env,
      '/open311/v2/requests.json',
      form.map(([k, v]) => [k, k === 'description' ? '另一件事：路灯不亮' : v] as [string, string]),
    );

    // then it is refused and nothing is filed
    expect(changed.status).toBe(400);
    expect(errorsOf(changed.text)[0]).toMatchObject({ code: 422 });
    expect(Number((await env.h.db('case').where({ external_id: 'fms-4711' }).count({ n: '*' }))[0].n)).toBe(1);
  });

  test('the Idempotency-Key header makes a retry answer the first request', async () => {
    // given a POST with an Idempotency-Key
    const body = new URLSearchParams(validForm()).toString();
    const post = () =>
      fetch(env.app.url + '/open311/v2/requests.json', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': 'o311-key-1' },
        body,
      }).then(async (r) => ({ status: r.status, body: JSON.parse(await r.text()) }));
    const first = await post();
    // when it is sent again
    const again = await post();
    // then both name the same case
    expect(first.status).toBe(200);
    expect(again).toEqual(first);
  });
});

function requestsSchemaProperties(): Record<string, unknown> {
  return (requestsSchema.items as { properties: Record<string, unknown> }).properties;
}
