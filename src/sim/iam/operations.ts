/**
 * IAM's operations as the simulator serves them: `GetAccountAuthorizationDetails` with `Filter`,
 * `MaxItems` and `Marker`. The four lists are one stream (users, groups, roles, policies) that
 * `MaxItems` cuts into pages; the marker is an opaque offset tied to the filter it was issued for.
 */
import { SimError } from '../errors.js';
import { IAM_SECTIONS, type IamEstate, type IamSection, type IamSectionItem } from './estate.js';
import { el, groupXml, policyXml, queryResponse, roleXml, userXml } from './xml.js';

/** The entity types `Filter.member.N` accepts. */
export const IAM_FILTERS = ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'] as const;

/** The IAM actions the simulator serves. */
export const IAM_OPERATIONS = ['GetAccountAuthorizationDetails'] as const;

const DEFAULT_MAX_ITEMS = 100;

function validation(message: string): SimError {
  return new SimError('ValidationError', message, 400);
}

/** The `.member.N` values of an awsQuery list parameter, in order. */
export function listParam(params: URLSearchParams, name: string): string[] {
  const out: Array<[number, string]> = [];
  const prefix = `${name}.member.`;
  for (const [k, v] of params) if (k.startsWith(prefix)) out.push([Number(k.slice(prefix.length)), v]);
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** A run of a section's items in the stream: `count` items, item `k` at `pick[k]` or `start + k`. */
interface Segment {
  section: IamSection;
  start: number;
  count: number;
  pick?: number[];
}

function stream(estate: IamEstate, filter: ReadonlySet<string>): Segment[] {
  const all = filter.size === 0;
  const segments: Segment[] = [];
  for (const section of IAM_SECTIONS) {
    const size = estate.size(section);
    if (section !== 'Policy') {
      if (all || filter.has(section)) segments.push({ section, start: 0, count: size });
      continue;
    }
    const local = all || filter.has('LocalManagedPolicy');
    const aws = all || filter.has('AWSManagedPolicy');
    if (local && aws) segments.push({ section, start: 0, count: size });
    else if (local || aws) {
      // AWS managed policies are all core ones; generated policies are all the account's own.
      const core = estate.coreSize('Policy');
      const pick: number[] = [];
      for (let i = 0; i < core; i++) if (estate.item('Policy', i).arn.startsWith('arn:aws:iam::aws:') === aws) pick.push(i);
      if (local) for (let i = core; i < size; i++) pick.push(i);
      segments.push({ section, start: 0, count: pick.length, pick });
    }
  }
  return segments;
}

const RENDER: { [S in IamSection]: (item: IamSectionItem[S]) => string } = {
  User: userXml,
  Group: groupXml,
  Role: roleXml,
  Policy: policyXml,
};

function render<S extends IamSection>(estate: IamEstate, section: S, i: number): string {
  return RENDER[section](estate.item(section, i));
}

function encodeMarker(offset: number, filterKey: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: filterKey })).toString('base64');
}

function decodeMarker(marker: string, filterKey: string): number {
  try {
    const m = JSON.parse(Buffer.from(marker, 'base64').toString('utf8')) as { o?: unknown; f?: unknown };
    if (typeof m.o === 'number' && Number.isInteger(m.o) && m.o >= 0 && m.f === filterKey) return m.o;
  } catch {
    // fall through
  }
  throw validation('Invalid Marker: it was not issued for this request.');
}

/** Answer `GetAccountAuthorizationDetails`. */
export function getAccountAuthorizationDetails(estate: IamEstate, params: URLSearchParams, requestId: string): string {
  const filters = listParam(params, 'Filter');
  for (const f of filters) {
    if (!(IAM_FILTERS as readonly string[]).includes(f))
      throw validation(
        `1 validation error detected: Value '[${filters.join(', ')}]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${IAM_FILTERS.join(', ')}]]`,
      );
  }
  const maxRaw = params.get('MaxItems');
  const max = maxRaw === null ? DEFAULT_MAX_ITEMS : Number(maxRaw);
  if (!Number.isInteger(max) || max < 1 || max > 1000)
    throw validation(
      `1 validation error detected: Value '${maxRaw}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`,
    );
  const filter = new Set(filters);
  const filterKey = [...filter].sort().join(',');
  const marker = params.get('Marker');
  const offset = marker ? decodeMarker(marker, filterKey) : 0;

  const lists: Record<IamSection, string[]> = { User: [], Group: [], Role: [], Policy: [] };
  let position = 0;
  let taken = 0;
  let total = 0;
  for (const seg of stream(estate, filter)) {
    total += seg.count;
    for (let k = Math.max(0, offset - position); k < seg.count && taken < max; k++, taken++) {
      const i = seg.pick ? seg.pick[k]! : seg.start + k;
      lists[seg.section].push(render(estate, seg.section, i));
    }
    position += seg.count;
  }
  const next = offset + taken;
  const truncated = next < total;
  const list = (name: string, items: string[]) => `<${name}>${items.map((x) => `<member>${x}</member>`).join('')}</${name}>`;
  const result =
    list('UserDetailList', lists.User) +
    list('GroupDetailList', lists.Group) +
    list('RoleDetailList', lists.Role) +
    list('Policies', lists.Policy) +
    el('IsTruncated', truncated) +
    (truncated ? el('Marker', encodeMarker(next, filterKey)) : '');
  return queryResponse('GetAccountAuthorizationDetails', result, requestId);
}
