/**
 * Documents the Open311 operations as they really answer: defineRoute documents error statuses as
 * problem+json (right for /api), but GeoReport v2 answers error lists in the requested format, and
 * its POST body is form-encoded. This rewrites those parts of the generated document for paths
 * under /open311/.
 */
const ERROR_LIST_JSON = {
  type: 'array',
  description: 'Open311 error list',
  items: {
    type: 'object',
    properties: { code: { type: 'integer' }, description: { type: 'string' } },
    required: ['code', 'description'],
  },
};
const ERROR_LIST_XML = {
  type: 'string',
  description: '<errors><error><code>…</code><description>…</description></error></errors>',
};

const POST_FORM = {
  type: 'object',
  required: ['api_key', 'service_code'],
  properties: {
    api_key: { type: 'string' },
    jurisdiction_id: { type: 'string' },
    service_code: { type: 'string' },
    lat: { type: 'string', description: 'WGS84; with long' },
    long: { type: 'string', description: 'WGS84; with lat' },
    address_string: { type: 'string' },
    address_id: { type: 'string' },
    'attribute[situation]': { type: 'string', description: 'required: a value key of the service definition' },
    email: { type: 'string' },
    device_id: { type: 'string' },
    account_id: { type: 'string' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    phone: { type: 'string' },
    description: { type: 'string', maxLength: 4000 },
    media_url: { type: 'string', format: 'uri' },
  },
  additionalProperties: { type: 'string', description: 'other attribute[CODE] fields are recorded with the case' },
};

export function documentOpen311<T extends Record<string, any>>(doc: T): T {
  for (const [path, operations] of Object.entries<Record<string, any>>(doc.paths ?? {})) {
    if (!path.startsWith('/open311/')) continue;
    const json = path.endsWith('.json');
    for (const [method, op] of Object.entries<any>(operations)) {
      for (const [status, response] of Object.entries<any>(op.responses ?? {})) {
        if (Number(status) < 400) continue;
        response.content = json
          ? { 'application/json': { schema: ERROR_LIST_JSON } }
          : { 'text/xml': { schema: ERROR_LIST_XML } };
      }
      if (method === 'post')
        op.requestBody = { required: true, content: { 'application/x-www-form-urlencoded': { schema: POST_FORM } } };
    }
  }
  return doc;
}
