/**
 * The GCE / GKE metadata server as google-auth-library and gcp-metadata use it (reached at
 * GCE_METADATA_HOST): the availability ping, project id, universe domain, and the default
 * service account's email and access tokens. Every answer carries `Metadata-Flavor: Google`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenOutcome } from './oauth.js';
import type { AccessTokens } from './tokens.js';

/** The path prefix of metadata requests. */
export const METADATA_PREFIX = '/computeMetadata/v1/';

/** Answer one metadata request for the default service account `ctx.email`. */
export function metadataServer(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  ctx: { tokens: AccessTokens; email: string; projectId: string },
): TokenOutcome {
  const reply = (status: number, body: string, type = 'application/text'): TokenOutcome => {
    res.writeHead(status, { 'metadata-flavor': 'Google', 'content-type': type });
    res.end(body);
    return { status };
  };
  // The header proves the caller is not a browser tricked into a request (SSRF protection).
  if (req.headers['metadata-flavor'] !== 'Google') return reply(403, 'Missing Metadata-Flavor:Google header.');
  const sub = path.slice(METADATA_PREFIX.length).replace(/\/$/, '');
  if (sub === 'instance' || sub === '') return reply(200, 'attributes/\nservice-accounts/\n');
  if (sub === 'project/project-id') return reply(200, ctx.projectId);
  if (sub === 'universe/universe-domain') return reply(200, 'googleapis.com');
  if (sub === 'instance/service-accounts/default/email') return reply(200, ctx.email);
  if (sub === 'instance/service-accounts/default/token')
    return { ...reply(200, JSON.stringify(ctx.tokens.issue(ctx.email, 'md')), 'application/json'), principal: ctx.email };
  return reply(404, 'Not Found');
}
