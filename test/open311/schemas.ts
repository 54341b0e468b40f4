/**
 * JSON Schemas of the GeoReport v2 JSON answers, written from the spec (reference/open311.md §1.2–1.7)
 * in the manner of open311/schema-validation: ids and codes are strings, lat/long numbers, dates
 * date-time with a zone, description ≤ 4000, media_url a URI, most optional fields nullable.
 * Objects are closed (`additionalProperties: false`) so a field the spec does not name fails.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const nullable = (type: string, extra: object = {}) => ({ anyOf: [{ type, ...extra }, { type: 'null' }] });
const dateTime = { type: 'string', format: 'date-time', pattern: '(Z|[+-]\\d{2}:\\d{2})$' };

export const discoverySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['changeset', 'contact', 'key_service', 'endpoints'],
  properties: {
    changeset: dateTime,
    contact: { type: 'string', minLength: 1 },
    key_service: { type: 'string', minLength: 1 },
    endpoints: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['specification', 'url', 'changeset', 'type', 'formats'],
        properties: {
          specification: { type: 'string', format: 'uri' },
          url: { type: 'string', format: 'uri' },
          changeset: dateTime,
          type: { enum: ['production', 'test'] },
          formats: { type: 'array', minItems: 1, items: { type: 'string', enum: ['text/xml', 'application/json'] } },
        },
      },
    },
  },
};

export const servicesSchema = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['service_code', 'service_name', 'metadata', 'type'],
    properties: {
      service_code: { type: 'string', minLength: 1 },
      service_name: { type: 'string', minLength: 1 },
      description: nullable('string'),
      metadata: { type: 'boolean' },
      type: { enum: ['realtime', 'batch', 'blackbox'] },
      keywords: nullable('string'),
      group: nullable('string'),
    },
  },
};

export const serviceDefinitionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['service_code', 'attributes'],
  properties: {
    service_code: { type: 'string', minLength: 1 },
    attributes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['variable', 'code', 'datatype', 'required', 'order', 'description'],
        properties: {
          variable: { type: 'boolean' },
          code: { type: 'string', minLength: 1 },
          datatype: { enum: ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] },
          required: { type: 'boolean' },
          datatype_description: nullable('string'),
          order: { type: 'integer', minimum: 1 },
          description: { type: 'string' },
          values: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['key', 'name'],
              properties: { key: { type: 'string' }, name: { type: 'string' } },
            },
          },
        },
      },
    },
  },
};

const requestProperties = {
  service_request_id: { type: 'string', minLength: 1 },
  status: { enum: ['open', 'closed'] },
  status_notes: nullable('string'),
  service_name: nullable('string'),
  service_code: { type: 'string', minLength: 1 },
  description: nullable('string', { maxLength: 4000 }),
  agency_responsible: nullable('string'),
  service_notice: nullable('string'),
  requested_datetime: dateTime,
  updated_datetime: { anyOf: [dateTime, { type: 'null' }] },
  expected_datetime: { anyOf: [dateTime, { type: 'null' }] },
  address: nullable('string'),
  address_id: nullable('string'),
  zipcode: nullable('string'),
  lat: nullable('number', { minimum: -90, maximum: 90 }),
  long: nullable('number', { minimum: -180, maximum: 180 }),
  media_url: nullable('string', { format: 'uri' }),
};
const requestRequired = ['service_request_id', 'status', 'service_code', 'requested_datetime'];

export const requestsSchema = {
  type: 'array',
  items: { type: 'object', additionalProperties: false, required: requestRequired, properties: requestProperties },
};

/** `extensions=true`: Chicago's `extended_attributes` (an object) and `notes[]` (datetime, description, type). */
export const extendedRequestsSchema = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: [...requestRequired, 'extended_attributes', 'notes'],
    properties: {
      ...requestProperties,
      extended_attributes: { type: 'object', required: ['channel'], properties: { channel: { type: 'string' } } },
      notes: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['datetime', 'description', 'type'],
          properties: { datetime: dateTime, description: { type: 'string' }, type: { type: 'string' } },
        },
      },
    },
  },
};

/** POST answer: one item with service_request_id or token, never both. */
export const postResponseSchema = {
  type: 'array',
  minItems: 1,
  maxItems: 1,
  items: {
    type: 'object',
    additionalProperties: false,
    properties: {
      service_request_id: { type: 'string', minLength: 1 },
      token: { type: 'string', minLength: 1 },
      service_notice: nullable('string'),
      account_id: nullable('string'),
    },
    oneOf: [{ required: ['service_request_id'] }, { required: ['token'] }],
  },
};

export const tokenSchema = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['token'],
    properties: { service_request_id: { type: 'string', minLength: 1 }, token: { type: 'string', minLength: 1 } },
  },
};

export const errorsSchema = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['code', 'description'],
    properties: { code: { type: 'integer' }, description: { type: 'string', minLength: 1 } },
  },
};

/** mySociety `servicerequestupdates` with its extended statuses. */
export const updatesSchema = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['update_id', 'service_request_id', 'status', 'updated_datetime', 'description'],
    properties: {
      update_id: { type: 'string', minLength: 1 },
      service_request_id: { type: 'string', minLength: 1 },
      status: {
        enum: [
          'OPEN',
          'CLOSED',
          'FIXED',
          'IN_PROGRESS',
          'ACTION_SCHEDULED',
          'INVESTIGATING',
          'DUPLICATE',
          'NOT_COUNCILS_RESPONSIBILITY',
          'NO_FURTHER_ACTION',
          'INTERNAL_REFERRAL',
          'REOPEN',
        ],
      },
      updated_datetime: dateTime,
      description: { type: 'string' },
      media_url: nullable('string', { format: 'uri' }),
    },
  },
};

// strictRequired off: `oneOf: [{required: [...]}]` names properties declared one level up.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);

/** Compiles a schema; `check(body)` throws with ajv's messages when the body does not conform. */
export function validator(schema: object): (body: unknown) => void {
  const validate: ValidateFunction = ajv.compile(schema);
  return (body) => {
    if (!validate(body))
      throw new Error(
        `Expected the body to match its Open311 schema, but: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 600)}`,
      );
  };
}
