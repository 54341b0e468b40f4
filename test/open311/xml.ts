/** Reading Open311 XML in tests: fast-xml-parser, all values kept as strings. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

/** Parses a document; lists named in `lists` are always arrays. Throws on malformed XML. */
export function parseXml(text: string, lists: string[] = []): Record<string, any> {
  const valid = XMLValidator.validate(text);
  if (valid !== true)
    throw new Error(`Expected well-formed XML, but: ${JSON.stringify(valid.err)}\n${text.slice(0, 400)}`);
  const parser = new XMLParser({
    parseTagValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    isArray: (name) => lists.includes(name),
  });
  return parser.parse(text);
}

/** The element names directly under an element (parsed form). */
export const childNames = (element: Record<string, unknown>) => Object.keys(element).sort();
