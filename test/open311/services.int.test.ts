import { get, startOpen311Env, type Open311Env } from './env';
import { discoverySchema, errorsSchema, serviceDefinitionSchema, servicesSchema, validator } from './schemas';
import { childNames, parseXml, XML_DECLARATION } from './xml';

/** Open311 discovery, service list and service definitions, XML and JSON (reference/open311.md §1.2–1.4). */
describe('Open311 discovery and services', () => {
  let env: Open311Env;
  beforeAll(async () => {
    env = await startOpen311Env();
  });
  afterAll(() => env.stop());

  test('discovery answers in both formats with what the SeeClickFix validator checks', async () => {
    // when
    const json = await get(env, '/open311/discovery.json');
    const xml = await get(env, '/open311/discovery.xml');

    // then JSON conforms, the changeset is a date in the past, every v2 endpoint lists text/xml
    expect(json.status).toBe(200);
    expect(json.contentType).toBe('application/json; charset=utf-8');
    const doc = JSON.parse(json.text);
    validator(discoverySchema)(doc);
    expect(Date.parse(doc.changeset)).toBeLessThan(Date.now());
    expect(doc.endpoints[0]).toMatchObject({
      specification: 'http://wiki.open311.org/GeoReport_v2',
      url: `${env.app.url}/open311/v2`,
      type: 'production',
    });
    expect(doc.endpoints[0].formats).toContain('text/xml');

    // and the XML has the same content under <discovery>, formats as <format> children
    expect(xml.status).toBe(200);
    expect(xml.contentType).toBe('text/xml; charset=utf-8');
    expect(xml.text.startsWith(XML_DECLARATION)).toBe(true);
    const root = parseXml(xml.text, ['endpoint', 'format']).discovery;
    expect(childNames(root)).toEqual(['changeset', 'contact', 'endpoints', 'key_service']);
    expect(root.changeset).toBe(doc.changeset);
    expect(root.endpoints.endpoint).toHaveLength(1);
    expect(childNames(root.endpoints.endpoint[0])).toEqual(['changeset', 'formats', 'specification', 'type', 'url']);
    expect(root.endpoints.endpoint[0].formats.format).toEqual(['text/xml', 'application/json']);
  });

  test('services: one per matter, the category as group, metadata=true, type=realtime, keywords', async () => {
    // given the sample catalog's matters with active situations
    const matters = await env.h
      .db('catalog_matter as m')
      .whereExists((q) =>
        q
          .select(env.h.db.raw('1'))
          .from('catalog_situation as s')
          .whereRaw('s.matter_code = m.code')
          .where('s.active', true),
      )
      .count<{ n: string }[]>({ n: '*' });

    // when
    const json = await get(env, '/open311/v2/services.json');
    const xml = await get(env, '/open311/v2/services.xml');

    // then
    const services = JSON.parse(json.text);
    validator(servicesSchema)(services);
    expect(services).toHaveLength(Number(matters[0].n));
    const first = services.find((s: any) => s.service_code === 'C01-M01');
    expect(first).toMatchObject({ metadata: true, type: 'realtime' });
    expect(first.group).toBe((await env.h.db('catalog_category').where({ code: 'C01' }).first('name_zh')).name_zh);
    expect(first.keywords.split(',')).toContain('摆摊');

    const list = parseXml(xml.text, ['service']).services.service;
    expect(list).toHaveLength(services.length);
    for (const s of list)
      expect(childNames(s)).toEqual([
        'description',
        'group',
        'keywords',
        'metadata',
        'service_code',
        'service_name',
        'type',
      ]);
    expect(list.map((s: any) => s.service_code)).toEqual(services.map((s: any) => s.service_code));
    expect(list[0].metadata).toBe('true');
  });

  test('a service definition lists the matter’s situations as a required singlevaluelist', async () => {
    // given
    const situations = await env.h
      .db('catalog_situation')
      .where({ matter_code: 'C01-M01', active: true })
      .orderBy(['sort', 'code'])
      .select('code', 'name_zh');

    // when
    const json = await get(env, '/open311/v2/services/C01-M01.json');
    const xml = await get(env, '/open311/v2/services/C01-M01.xml');

    // then
    const def = JSON.parse(json.text);
    validator(serviceDefinitionSchema)(def);
    expect(def.service_code).toBe('C01-M01');
    expect(def.attributes).toHaveLength(2); // the situation, and 举报人保密 (optional)
    expect(def.attributes[1]).toMatchObject({ code: 'confidential', required: false, order: 2 });
    expect(def.attributes[0]).toMatchObject({
      variable: true,
      code: 'situation',
      datatype: 'singlevaluelist',
      required: true,
      order: 1,
    });
    expect(def.attributes[0].values).toEqual(situations.map((s: any) => ({ key: s.code, name: s.name_zh })));

    const root = parseXml(xml.text, ['attribute', 'value']).service_definition;
    expect(childNames(root)).toEqual(['attributes', 'service_code']);
    const attr = root.attributes.attribute[0];
    expect(childNames(attr)).toEqual([
      'code',
      'datatype',
      'datatype_description',
      'description',
      'order',
      'required',
      'values',
      'variable',
    ]);
    expect(attr.values.value.map((v: any) => v.key)).toEqual(situations.map((s: any) => s.code));
  });

  test('an unknown service code or jurisdiction is a 404 error list in the requested format', async () => {
    // when
    const json = await get(env, '/open311/v2/services/NOPE.json');
    const xml = await get(env, '/open311/v2/services/NOPE.xml');
    const jurisdiction = await get(env, '/open311/v2/services.json?jurisdiction_id=sfgov.org');
    const ours = await get(env, '/open311/v2/services.json?jurisdiction_id=nbjb.gov.cn');
    const empty = await get(env, '/open311/v2/services.json?jurisdiction_id=');

    // then
    expect(json.status).toBe(404);
    validator(errorsSchema)(JSON.parse(json.text));
    expect(JSON.parse(json.text)[0].code).toBe(404);
    expect(xml.status).toBe(404);
    const errors = parseXml(xml.text, ['error']).errors.error;
    expect(childNames(errors[0])).toEqual(['code', 'description']);
    expect(errors[0].code).toBe('404');
    expect(jurisdiction.status).toBe(404);
    expect(ours.status).toBe(200);
    expect(empty.status).toBe(200); // "sent empty" = absent
  });

  test('the OpenAPI document lists every Open311 path in both formats with error lists, not problem+json', async () => {
    // when
    const doc = env.app.app.locals.openApi();

    // then
    for (const p of [
      '/open311/discovery',
      '/open311/v2/services',
      '/open311/v2/services/{code}',
      '/open311/v2/requests',
      '/open311/v2/requests/{id}',
      '/open311/v2/tokens/{token}',
      '/open311/v2/servicerequestupdates',
    ]) {
      expect(doc.paths[`${p}.xml`]).toBeDefined();
      expect(doc.paths[`${p}.json`]).toBeDefined();
    }
    const post = doc.paths['/open311/v2/requests.xml'].post;
    expect(Object.keys(post.requestBody.content)).toEqual(['application/x-www-form-urlencoded']);
    expect(Object.keys(post.responses['403'].content)).toEqual(['text/xml']);
    expect(Object.keys(doc.paths['/open311/v2/requests.json'].post.responses['400'].content)).toEqual([
      'application/json',
    ]);
  });
});
