/**
 * IAM's awsQuery XML: the `GetAccountAuthorizationDetails` members in the shapes the SDK reads
 * (lists as `<member>`), policy documents URL-encoded as the real API returns them, and the
 * `ErrorResponse` document.
 */
import type { SimError } from '../errors.js';
import { escapeXml } from '../xml.js';
import type { SimGroup, SimInlinePolicy, SimManagedPolicy, SimPolicyRef, SimRole, SimUser } from './types.js';

/** IAM's XML namespace. */
export const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** `<name>text</name>`, or nothing when `text` is undefined. */
export function el(name: string, text: string | number | boolean | undefined): string {
  return text === undefined ? '' : `<${name}>${escapeXml(String(text))}</${name}>`;
}

/** `<name><member>…</member>…</name>` (awsQuery lists). */
function members<T>(name: string, items: readonly T[], render: (item: T) => string): string {
  return `<${name}>${items.map((i) => `<member>${render(i)}</member>`).join('')}</${name}>`;
}

/** A policy document as IAM sends it: percent-encoded JSON. */
export function encodePolicy(document: string): string {
  return encodeURIComponent(document);
}

const inline = (p: SimInlinePolicy) => el('PolicyName', p.name) + el('PolicyDocument', encodePolicy(p.document));
const attached = (p: SimPolicyRef) => el('PolicyName', p.name) + el('PolicyArn', p.arn);
const tags = (t: Record<string, string> | undefined) =>
  t ? members('Tags', Object.entries(t), ([k, v]) => el('Key', k) + el('Value', v)) : '';
const boundary = (arn: string | undefined) =>
  arn
    ? `<PermissionsBoundary>${el('PermissionsBoundaryType', 'PermissionsBoundaryPolicy')}${el('PermissionsBoundaryArn', arn)}</PermissionsBoundary>`
    : '';

export function userXml(u: SimUser): string {
  return (
    el('Path', u.path) +
    el('UserName', u.name) +
    el('UserId', u.id) +
    el('Arn', u.arn) +
    el('CreateDate', u.created) +
    members('UserPolicyList', u.inline, inline) +
    members('GroupList', u.groups, (g) => escapeXml(g)) +
    members('AttachedManagedPolicies', u.attached, attached) +
    boundary(u.boundary) +
    tags(u.tags)
  );
}

export function groupXml(g: SimGroup): string {
  return (
    el('Path', g.path) +
    el('GroupName', g.name) +
    el('GroupId', g.id) +
    el('Arn', g.arn) +
    el('CreateDate', g.created) +
    members('GroupPolicyList', g.inline, inline) +
    members('AttachedManagedPolicies', g.attached, attached)
  );
}

export function roleXml(r: SimRole): string {
  return (
    el('Path', r.path) +
    el('RoleName', r.name) +
    el('RoleId', r.id) +
    el('Arn', r.arn) +
    el('CreateDate', r.created) +
    el('AssumeRolePolicyDocument', encodePolicy(r.trust)) +
    '<InstanceProfileList/>' +
    members('RolePolicyList', r.inline, inline) +
    members('AttachedManagedPolicies', r.attached, attached) +
    boundary(r.boundary) +
    tags(r.tags) +
    (r.lastUsed
      ? `<RoleLastUsed>${el('LastUsedDate', r.lastUsed.date)}${el('Region', r.lastUsed.region)}</RoleLastUsed>`
      : '<RoleLastUsed/>')
  );
}

export function policyXml(p: SimManagedPolicy): string {
  return (
    el('PolicyName', p.name) +
    el('PolicyId', p.id) +
    el('Arn', p.arn) +
    el('Path', p.path) +
    el('DefaultVersionId', p.versions.find((v) => v.isDefault)?.id) +
    el('AttachmentCount', p.attachmentCount) +
    el('PermissionsBoundaryUsageCount', p.boundaryUsageCount) +
    el('IsAttachable', true) +
    el('Description', p.description) +
    el('CreateDate', p.created) +
    el('UpdateDate', p.updated) +
    members(
      'PolicyVersionList',
      p.versions,
      (v) =>
        el('Document', encodePolicy(v.document)) +
        el('VersionId', v.id) +
        el('IsDefaultVersion', v.isDefault) +
        el('CreateDate', v.created),
    )
  );
}

/** An awsQuery success document: `<{Action}Response><{Action}Result>…</…><ResponseMetadata>`. */
export function queryResponse(action: string, result: string, requestId: string): string {
  return (
    `<${action}Response xmlns="${IAM_NS}">\n` +
    `  <${action}Result>${result}</${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`
  );
}

/** An awsQuery error document. 5xx errors are `Receiver` faults, the rest `Sender`. */
export function iamErrorBody(error: SimError, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${IAM_NS}">\n` +
    `  <Error>\n` +
    `    <Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type>\n` +
    `    <Code>${escapeXml(error.code)}</Code>\n` +
    `    <Message>${escapeXml(error.message)}</Message>\n` +
    `  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n` +
    `</ErrorResponse>\n`
  );
}
