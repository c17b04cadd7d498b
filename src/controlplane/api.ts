/**
 * The REST API of the reference control plane, under `/api/v1`, every route behind an admin token
 * (`Authorization: Bearer …`, issued with `sdr-agent control-plane token --admin`). `/healthz` is open.
 */
import { Readable } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NODE_LABELS, EDGE_LABELS } from '../records/labels.js';
import { CrawlStart, JobId, Region, ResourceType } from '../protocol/index.js';
import type { Catalog } from './catalog.js';
import { HubError } from './api-error.js';
import type { AgentHub } from './hub.js';
import type { JobStore } from './jobs.js';
import { bearer, type TokenRegistry } from './tokens.js';

const CrawlRequest = Type.Object(
  {
    connection: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }),
    regions: Type.Array(Region, { minItems: 1, maxItems: 32, uniqueItems: true }),
    types: Type.Optional(Type.Array(ResourceType, { minItems: 1, maxItems: 64, uniqueItems: true })),
    since: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    tags: CrawlStart.properties.tags,
    executions: CrawlStart.properties.executions,
  },
  { additionalProperties: false },
);
const Page = Type.Object(
  {
    label: Type.Optional(Type.String({ maxLength: 64 })),
    offset: Type.Integer({ minimum: 0, default: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }),
  },
  { additionalProperties: false },
);
const NodeQuery = Type.Object(
  { label: Type.String({ maxLength: 64 }), id: Type.String({ minLength: 1, maxLength: 2048 }) },
  { additionalProperties: false },
);
const JobsQuery = Type.Object(
  { agent: Type.Optional(Type.String({ maxLength: 128 })), status: Type.Optional(Type.String({ maxLength: 32 })) },
  { additionalProperties: false },
);
const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const CheckRequest = Type.Object(
  { timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })) },
  { additionalProperties: false },
);
const JobParam = Type.Object({ id: JobId });

const nodeLabels = new Set<string>(NODE_LABELS);
const edgeLabels = new Set<string>(EDGE_LABELS);

function problem(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).send({ error: { status, message } });
}

export function registerApi(app: FastifyInstance, deps: { hub: AgentHub; jobs: JobStore; catalog: Catalog; tokens: TokenRegistry }): void {
  const { hub, jobs, catalog, tokens } = deps;

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.register(
    async (api) => {
      api.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
        if (!tokens.isAdmin(bearer(req.headers.authorization))) {
          return problem(
            reply,
            401,
            'admin token missing or invalid: send Authorization: Bearer <token> (issue one with `sdr-agent control-plane token --admin`)',
          );
        }
      });

      api.get('/agents', async () => ({ agents: hub.agentViews() }));
      api.get<{ Params: Static<typeof IdParam> }>('/agents/:id', { schema: { params: IdParam } }, async (req, reply) => {
        const agent = hub.agentView(req.params.id);
        return agent ?? problem(reply, 404, `no agent "${req.params.id}"`);
      });
      api.post<{ Params: Static<typeof IdParam>; Body: Static<typeof CrawlRequest> }>(
        '/agents/:id/crawls',
        { schema: { params: IdParam, body: CrawlRequest } },
        async (req, reply) => {
          return reply.code(202).send(hub.startCrawl(req.params.id, req.body));
        },
      );

      // Answered when the agent's check.result arrives (or 409/502/504: not connected or not
      // supporting check.run / refused or disconnected / timed out).
      api.post<{ Params: Static<typeof IdParam>; Body: Static<typeof CheckRequest> }>(
        '/agents/:id/checks',
        { schema: { params: IdParam, body: CheckRequest }, preValidation: async (req) => void (req.body ??= {}) },
        async (req) => {
          const { type: _t, ...result } = await hub.runCheck(req.params.id, req.body.timeoutMs);
          return { agentId: req.params.id, ...result };
        },
      );

      api.get<{ Querystring: Static<typeof JobsQuery> }>('/jobs', { schema: { querystring: JobsQuery } }, async (req) => ({
        jobs: jobs.list({
          ...(req.query.agent ? { agentId: req.query.agent } : {}),
          ...(req.query.status ? { status: req.query.status } : {}),
        }),
      }));
      api.get<{ Params: Static<typeof JobParam> }>(
        '/jobs/:id',
        { schema: { params: JobParam } },
        async (req, reply) => jobs.get(req.params.id) ?? problem(reply, 404, `no job "${req.params.id}"`),
      );
      api.post<{ Params: Static<typeof JobParam> }>('/jobs/:id/cancel', { schema: { params: JobParam } }, async (req, reply) =>
        reply.code(202).send(hub.cancel(req.params.id)),
      );

      api.get('/catalog/stats', async () => catalog.stats());
      api.get<{ Querystring: Static<typeof Page> }>('/catalog/nodes', { schema: { querystring: Page } }, async (req, reply) => {
        const { label, offset, limit } = req.query;
        if (label && !nodeLabels.has(label)) return problem(reply, 400, `unknown node label; one of: ${NODE_LABELS.join(', ')}`);
        return catalog.listNodes(label, offset, limit);
      });
      api.get<{ Querystring: Static<typeof Page> }>('/catalog/edges', { schema: { querystring: Page } }, async (req, reply) => {
        const { label, offset, limit } = req.query;
        if (label && !edgeLabels.has(label)) return problem(reply, 400, `unknown edge label; one of: ${EDGE_LABELS.join(', ')}`);
        return catalog.listEdges(label, offset, limit);
      });
      api.get<{ Querystring: Static<typeof NodeQuery> }>('/catalog/node', { schema: { querystring: NodeQuery } }, async (req, reply) => {
        return catalog.node(req.query.label, req.query.id) ?? problem(reply, 404, 'no node with that label and id');
      });
      api.get<{ Querystring: Static<typeof NodeQuery> }>(
        '/catalog/neighbours',
        { schema: { querystring: NodeQuery } },
        async (req, reply) => {
          return catalog.neighbours(req.query.label, req.query.id) ?? problem(reply, 404, 'no node with that label and id');
        },
      );
      api.get('/catalog/export', async (_req, reply) => {
        reply.type('application/x-ndjson');
        // A snapshot: a commit during the export replaces the maps, not this iteration's records.
        const records = [...catalog.records()];
        async function* lines() {
          for (let i = 0; i < records.length; i += 1000)
            yield `${records
              .slice(i, i + 1000)
              .map((r) => JSON.stringify(r))
              .join('\n')}\n`;
        }
        return reply.send(Readable.from(lines()));
      });
    },
    { prefix: '/api/v1' },
  );

  app.setErrorHandler((err: Error & { validation?: unknown; statusCode?: number }, _req, reply) => {
    if (err instanceof HubError) return problem(reply, err.status, err.message);
    if (Array.isArray(err.validation)) {
      const where = (err as { validationContext?: string }).validationContext ?? 'request';
      const problems = (err.validation as { instancePath?: string; message?: string; params?: { additionalProperty?: string } }[])
        .slice(0, 10)
        .map((v) => {
          const path = `${where}${v.instancePath ?? ''}`;
          return v.params?.additionalProperty
            ? `${path} has an unknown field "${v.params.additionalProperty}"`
            : `${path} ${v.message ?? 'is invalid'}`;
        });
      return problem(reply, 400, `invalid request: ${problems.join('; ')}`);
    }
    if (err.statusCode && err.statusCode < 500) return problem(reply, err.statusCode, err.message);
    reply.log.error({ err: err.message }, 'request failed');
    return problem(reply, 500, 'internal error; see the control plane log');
  });
  app.setNotFoundHandler((req, reply) =>
    problem(reply, 404, `no route ${req.method} ${req.url.split('?')[0]}; the API is under /api/v1 (see docs/control-plane.md)`),
  );
}
