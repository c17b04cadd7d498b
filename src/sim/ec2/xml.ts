/**
 * EC2's query-protocol XML: members in lowerCamelCase with EC2's own names where they differ
 * (`tagSet`, `routeSet`, `groups`, …), lists as `<item>`, and the `<Response><Errors>` document.
 */
import type { SimError } from '../errors.js';
import { escapeXml } from '../xml.js';

/** EC2's XML namespace for API version 2016-11-15. */
export const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** SDK member names whose XML name is not just the lower-camel-cased member name. */
const XML_NAMES: Record<string, string> = {
  Tags: 'tagSet',
  Associations: 'associationSet',
  Routes: 'routeSet',
  Attachments: 'attachmentSet',
  PropagatingVgws: 'propagatingVgwSet',
  UserIdGroupPairs: 'groups',
  NatGatewayAddresses: 'natGatewayAddressSet',
};

/** Per shape, names that differ only there (a security group's `Description` is `groupDescription`). */
export type XmlOverrides = Record<string, string>;

const xmlName = (key: string, overrides: XmlOverrides) => overrides[key] ?? XML_NAMES[key] ?? key.charAt(0).toLowerCase() + key.slice(1);

/** An SDK-shaped value as EC2 XML: objects by member, arrays as `<item>`s, dates in ISO-8601. */
export function toXml(value: unknown, overrides: XmlOverrides = {}): string {
  if (Array.isArray(value)) return value.map((v) => `<item>${toXml(v)}</item>`).join('');
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => {
        const name = xmlName(k, overrides);
        return `<${name}>${toXml(v)}</${name}>`;
      })
      .join('');
  }
  return escapeXml(String(value));
}

/** `<{Action}Response xmlns=…><requestId>…</requestId>{body}</{Action}Response>`. */
export function ec2Response(action: string, requestId: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NS}"><requestId>${requestId}</requestId>${body}</${action}Response>\n`;
}

/** EC2's error document. */
export function ec2ErrorBody(error: SimError, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>\n`
  );
}
