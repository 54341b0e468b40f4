import { XMLParser } from 'fast-xml-parser';
import { openCase } from '../../domain/privacy/personal-data';
import { startOpen311Env, OPEN311_KEY, type Open311Env } from './env';

/**
 * FixMyStreet replay: the requests mySociety's client (`perllib/Open311.pm`) sends — XML endpoints,
 * `jurisdiction_id` on every call, the POST form of `_populate_service_request_params` with
 * `extended_description` and `always_send_latlong` — and the answers read the way its
 * `_get_xml_object` reads them (XML::Simple with ForceArray, GroupTags, KeyAttr {}, SuppressEmpty undef).
 */

const JURISDICTION = 'nbjb.gov.cn';

/** XML::Simple->new(ForceArray => [...], KeyAttr => {}, GroupTags => {...}, SuppressEmpty => undef)->parse_string. */
function xmlSimple(xml: string): any {
  const groupTags: Record<string, string> = {
    services: 'service',
    attributes: 'attribute',
    values: 'value',
    service_requests: 'request',
    errors: 'error',
    service_request_updates: 'request_update',
  };
  const forceArray = new Set(Object.values(groupTags));
  const parsed = new XMLParser({
    ignoreDeclaration: true,
    parseTagValue: false,
    trimValues: true,
    isArray: (name) => forceArray.has(name),
  }).parse(xml);
  const simplify = (node: any): any => {
    if (node === '') return undefined; // SuppressEmpty => undef
    if (Array.isArray(node)) return node.map(simplify);
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(node)) {
      // GroupTags: <attributes><attribute/>…</attributes> becomes attributes => [ … ]
      const inner =
        groupTags[k] && typeof v === 'object' && v !== null && groupTags[k] in (v as object)
          ? (v as any)[groupTags[k]]
          : v;
      out[k] = simplify(inner);
    }
    return out;
  };
  const [root] = Object.keys(parsed);
  return simplify(parsed[root]); // XMLin drops the root element
}

/** URI->query_form as HTTP::Request::Common's POST uses it: unreserved kept, space as '+'. */
function uriQueryForm(fields: Array<[string, string]>): string {
  const esc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return fields.map(([k, v]) => `${esc(k)}=${esc(v)}`).join('&');
}

/** Utils::truncate_coordinate: six decimal places. */
const truncate = (c: number) => c.toFixed(6);

describe('FixMyStreet replay', () => {
  let env: Open311Env;
  beforeAll(async () => {
    env = await startOpen311Env();
  });
  afterAll(() => env.stop());

  const getXml = async (path: string, params: Record<string, string>) => {
    const qs = uriQueryForm(Object.entries({ ...params, jurisdiction_id: JURISDICTION }));
    const res = await fetch(`${env.app.url}/open311/v2/${path}?${qs}`);
    return { status: res.status, obj: xmlSimple(await res.text()) };
  };
  const post = async (fields: Array<[string, string]>) => {
    const res = await fetch(`${env.app.url}/open311/v2/requests.xml`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: uriQueryForm(fields),
    });
    return { status: res.status, text: await res.text() };
  };
  /** Open311::_process_error */
  const processError = (text: string) => {
    const obj = xmlSimple(text);
    return (
      (obj?.error ?? []).map((e: any) => `${e.code || '???'}: ${e.description || 'unknown error'}`).join('\n') ||
      'unknown error'
    );
  };

  test('service list → service definition → POST → updates → GET requests, as FixMyStreet does them', async () => {
    // given: get_service_list and get_service_meta_info
    const services = await getXml('services.xml', {});
    expect(services.status).toBe(200);
    const contact = services.obj.service.find((s: any) => s.service_code === 'C01-M01');
    expect(contact).toMatchObject({ metadata: 'true', type: 'realtime' });
    expect(typeof contact.group).toBe('string');
    const meta = await getXml(`services/${contact.service_code}.xml`, {});
    const attribute = meta.obj.attributes.find((a: any) => a.code === 'situation');
    expect(attribute).toMatchObject({ required: 'true', variable: 'true', datatype: 'singlevaluelist', order: '1' });
    const situation = attribute.values[0].key;

    // when: send_service_request, the body byte for byte as FixMyStreet builds it
    const fields: Array<[string, string]> = [
      ['jurisdiction_id', JURISDICTION],
      ['api_key', OPEN311_KEY],
      [
        'description',
        'title: 小区门口流动摊贩\n\ndetail: 每天早上有流动摊贩摆摊叫卖卖菜，三轮车占道影响通行\n\nurl: https://fixmystreet.example.org/report/4711\n\nSubmitted via FixMyStreet\n',
      ],
      ['service_code', contact.service_code],
      ['first_name', 'Fred'],
      ['last_name', 'Bloggs Smith'],
      ['phone', '13800000002'],
      ['email', 'fred@example.com'],
      ['lat', truncate(29.90212345)],
      ['long', truncate(121.55321987)],
      ['media_url', 'https://fixmystreet.example.org/photo/4711.0.full.jpeg'],
      [`attribute[${attribute.code}]`, situation],
      ['attribute[report_url]', 'https://fixmystreet.example.org/report/4711'],
      ['attribute[report_title]', '小区门口流动摊贩'],
      ['attribute[public_anonymity_required]', 'FALSE'],
      ['attribute[email_alerts_requested]', 'FALSE'],
      ['attribute[service_request_id_ext]', '4711'],
    ];
    const res = await post(fields);

    // then: $obj->{request}->[0]->{service_request_id} is a plain string
    expect(res.status).toBe(200);
    const obj = xmlSimple(res.text);
    const requestId = obj.request[0].service_request_id;
    expect(typeof requestId).toBe('string');
    expect(requestId).toMatch(/^JB\d{8}-\d{6}$/);
    const c = openCase(await env.h.db('case').where({ case_no: requestId }).first());
    expect(c).toMatchObject({ reporter_name: 'Fred Bloggs Smith', external_id: '4711', situation_code: situation });
    expect(c.description).toContain('Submitted via FixMyStreet');
    const received = (await env.h.events(c.id)).find((e) => e.type === 'open311.received')!;
    expect(received.data.attributes).toMatchObject({
      report_url: ['https://fixmystreet.example.org/report/4711'],
      public_anonymity_required: ['FALSE'],
    });

    // when: the one window works on it, and FixMyStreet polls get_service_request_updates (with api_key)
    await env.h.drive();
    const start = new Date(env.h.te.now() - 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const end = new Date(env.h.te.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const updates = await getXml('servicerequestupdates.xml', {
      api_key: OPEN311_KEY,
      start_date: start,
      end_date: end,
    });

    // then: request_update items for our request, statuses FixMyStreet's map_state knows
    expect(updates.status).toBe(200);
    const ours = updates.obj.request_update.filter((u: any) => u.service_request_id === requestId);
    expect(ours.length).toBeGreaterThanOrEqual(2);
    for (const u of ours) {
      expect(typeof u.update_id).toBe('string');
      expect(u.updated_datetime).toMatch(/\+08:00$/);
      expect(['OPEN', 'INVESTIGATING', 'IN_PROGRESS', 'FIXED', 'CLOSED']).toContain(u.status);
    }

    // and get_service_requests with report_ids
    const requests = await getXml('requests.xml', { service_request_id: requestId });
    expect(requests.obj.request).toHaveLength(1);
    expect(requests.obj.request[0]).toMatchObject({
      service_request_id: requestId,
      status: 'open',
      service_code: contact.service_code,
    });
    expect(requests.obj.request[0].zipcode).toBeUndefined(); // empty element → undef
  });

  test('errors reach FixMyStreet’s _process_error as "code: description"', async () => {
    // when: a wrong key, and a location-less report (send_notpinpointed off, no postcode, no map)
    const wrongKey = await post([
      ['jurisdiction_id', JURISDICTION],
      ['api_key', 'wrong'],
      ['service_code', 'C01-M01'],
      ['lat', '29.9'],
      ['long', '121.5'],
      ['attribute[situation]', 'C01-M01-S01'],
    ]);
    const badValue = await post([
      ['jurisdiction_id', JURISDICTION],
      ['api_key', OPEN311_KEY],
      ['service_code', 'C01-M01'],
      ['lat', '29.9'],
      ['long', '121.5'],
      ['attribute[situation]', 'bogus'],
    ]);

    // then
    expect(wrongKey.status).toBe(403);
    expect(processError(wrongKey.text)).toMatch(/^403: api_key/);
    expect(badValue.status).toBe(400);
    expect(processError(badValue.text)).toMatch(/^400: attribute\[situation\] "bogus"/);
  });
});
