/**
 * Open311 GeoReport v2 documents in both formats. The JSON is the Spark-convention mirror of the
 * XML: a list root (`<services>`, `<service_requests>`, `<errors>` …) is a top-level JSON array,
 * a nested list (`attributes`, `values`, `endpoints`, `formats`, `notes`) is a plain array in JSON
 * and a wrapper element with one child per item in XML. XML is built by fast-xml-parser's
 * XMLBuilder, which escapes `& < > " '`; characters XML 1.0 cannot carry at all are dropped first.
 */
import type { Response } from 'express';
import { XMLBuilder } from 'fast-xml-parser';

export type Open311Format = 'xml' | 'json';
export const OPEN311_FORMATS: readonly Open311Format[] = ['xml', 'json'];

/** The child element of each list element (spec, mySociety and Chicago extension names). */
export const LIST_ITEM: Readonly<Record<string, string>> = {
  services: 'service',
  service_requests: 'request',
  service_request_updates: 'request_update',
  errors: 'error',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
  notes: 'note',
  collaborators: 'collaborator',
  media_urls: 'media_url',
};

export const CONTENT_TYPE: Readonly<Record<Open311Format, string>> = {
  xml: 'text/xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

const builder = new XMLBuilder({ format: true, indentBy: '  ', suppressEmptyNode: false, processEntities: true });

// XML 1.0 Char production: no C0 controls except tab/LF/CR, no lone surrogates, no U+FFFE/U+FFFF.
const NOT_XML_CHAR =
  // eslint-disable-next-line no-control-regex -- matching the control characters XML 1.0 forbids is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function toXmlValue(key: string, value: unknown): unknown {
  if (value === null || value === undefined) return null; // <tag/>
  if (Array.isArray(value)) {
    const item = LIST_ITEM[key];
    if (!item) throw new Error(`Expected a list element name for "${key}", but none is registered in LIST_ITEM`);
    return value.length ? { [item]: value.map((v) => toXmlValue(item, v)) } : '';
  }
  if (value instanceof Date)
    throw new Error(`Expected "${key}" to be formatted as an Open311 date string, but got a Date`);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toXmlValue(k, v)]));
  }
  return String(value).replace(NOT_XML_CHAR, '');
}

/**
 * `root` names the document element: for a list root (`services`) `body` is the array of items,
 * otherwise (`service_definition`, `discovery`) the object.
 */
export function toXml(root: string, body: unknown): string {
  const content = toXmlValue(root, body);
  return `<?xml version="1.0" encoding="utf-8"?>\n${builder.build({ [root]: content ?? '' })}`;
}

/** Writes an Open311 document (or error list) in the requested format. */
export function sendOpen311(res: Response, format: Open311Format, status: number, root: string, body: unknown): void {
  res.status(status).type(CONTENT_TYPE[format]);
  res.send(format === 'xml' ? toXml(root, body) : JSON.stringify(body));
}
