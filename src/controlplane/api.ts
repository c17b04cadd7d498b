/**
 * The REST API of the reference control plane, under `/api/v1`, every route behind an admin token
 * (`Authorization: Bearer …`, issued with `sdr-agent control-plane token --admin`). `/healthz` is open.
 */
import { Readable } from 'node:stream';
import { Type, type Static, type TObject } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NODE_LABELS, EDGE_LABELS } from '../records/labels.js';
import { CrawlStart, JobId, Region, ResourceType } from '../protocol/index.js';
import type { Catalog } from './catalog.js';
import { HubError } from './api-error.js';
import {
  basisOf,
  CAPABILITIES,
  endpointInvokers,
  externallyWritableTrainingData,
  findings,
  internetReachableNotebooks,
  overpermissiveRoles,
  pageOf,
  QUESTIONS,
  SEVERITIES,
  type Capability,
  type ScopeType,
  type Severity,
} from './questions.js';
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

// The security questions (questions.ts): every one pages like /catalog/nodes and may name an account.
const Account = Type.Optional(Type.String({ pattern: '^\\d{12}$' }));
const Offset = Type.Integer({ minimum: 0, default: 0 });
const Limit = Type.Integer({ minimum: 1, maximum: 10_000, default: 100 });
const FindingsQuery = Type.Object(
  {
    rule: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    severity: Type.Optional(Type.String({ maxLength: 32 })),
    account: Account,
    region: Type.Optional(Region),
    offset: Offset,
    limit: Limit,
  },
  { additionalProperties: false },
);
const InvokersQuery = Type.Object(
  { endpoint: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })), account: Account, offset: Offset, limit: Limit },
  { additionalProperties: false },
);
const RolesQuery = Type.Object(
  { account: Account, capability: Type.Optional(Type.String({ maxLength: 32 })), offset: Offset, limit: Limit },
  { additionalProperties: false },
);
const AccountQuery = Type.Object({ account: Account, offset: Offset, limit: Limit }, { additionalProperties: false });
const QUESTION_QUERIES: Record<string, TObject> = {
  '/findings': FindingsQuery,
  '/questions/endpoint-invokers': InvokersQuery,
  '/questions/overpermissive-roles': RolesQuery,
  '/questions/internet-reachable-notebooks': AccountQuery,
  '/questions/externally-writable-training-data': AccountQuery,
};

const nodeLabels = new Set<string>(NODE_LABELS);
const edgeLabels = new Set<string>(EDGE_LABELS);

function problem(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).send({ error: { status, message } });
}

type ValidationError = Error & { validation?: unknown; validationContext?: string };

/** What a schema validation error says, one phrase per problem (at most 10). */
function validationProblems(err: ValidationError): string[] {
  const where = err.validationContext ?? 'request';
  return (err.validation as { instancePath?: string; message?: string; params?: { additionalProperty?: string } }[])
    .slice(0, 10)
    .map((v) => {
      const path = `${where}${v.instancePath ?? ''}`;
      return v.params?.additionalProperty
        ? `${path} has an unknown field "${v.params.additionalProperty}"`
        : `${path} ${v.message ?? 'is invalid'}`;
    });
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
      registerQuestions(api, catalog);

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
    if (Array.isArray(err.validation)) return problem(reply, 400, `invalid request: ${validationProblems(err).join('; ')}`);
    if (err.statusCode && err.statusCode < 500) return problem(reply, err.statusCode, err.message);
    reply.log.error({ err: err.message }, 'request failed');
    return problem(reply, 500, 'internal error; see the control plane log');
  });
  app.setNotFoundHandler((req, reply) =>
    problem(reply, 404, `no route ${req.method} ${req.url.split('?')[0]}; the API is under /api/v1 (see docs/control-plane.md)`),
  );
}

/**
 * The security questions (questions.ts; docs/control-plane.md, "Security questions"). A query
 * that does not validate is refused with every problem and the parameters the route allows.
 */
interface Refusal {
  status: number;
  message: string;
}

function registerQuestions(api: FastifyInstance, catalog: Catalog): void {
  const route = <S extends TObject>(
    path: string,
    schema: S,
    types: readonly ScopeType[],
    answer: (q: Static<S>) => unknown[] | Refusal,
  ) => {
    const allowed = Object.keys(schema.properties).join(', ');
    api.get<{ Querystring: Static<S> }>(path, { schema: { querystring: schema }, attachValidation: true }, async (req, reply) => {
      const err = req.validationError as ValidationError | undefined;
      if (err) {
        const problems = Array.isArray(err.validation) ? validationProblems(err).join('; ') : err.message;
        return problem(reply, 400, `invalid query: ${problems}; ${path} allows: ${allowed}`);
      }
      const q = req.query as Static<S> & { account?: string; offset: number; limit: number };
      const items = answer(q);
      if (!Array.isArray(items)) return problem(reply, items.status, items.message);
      return { ...pageOf(items, q.offset, q.limit), basis: basisOf(catalog, types, q.account) };
    });
  };
  const refuse = (status: number, message: string): Refusal => ({ status, message });

  api.get('/questions', async () => ({
    items: QUESTIONS.map((q) => ({
      method: 'GET',
      path: `/api/v1${q.path}`,
      description: q.description,
      query: Object.keys(QUESTION_QUERIES[q.path]!.properties),
    })),
  }));
  route('/findings', FindingsQuery, ['findings'], (q) => {
    if (q.severity && !(SEVERITIES as readonly string[]).includes(q.severity))
      return refuse(400, `invalid severity "${q.severity}"; one of: ${SEVERITIES.join(', ')} (exactly that severity)`);
    return findings(catalog, {
      ...(q.rule ? { rule: q.rule } : {}),
      ...(q.severity ? { severity: q.severity as Severity } : {}),
      ...(q.account ? { account: q.account } : {}),
      ...(q.region ? { region: q.region } : {}),
    });
  });
  route('/questions/endpoint-invokers', InvokersQuery, ['iam'], (q) => {
    const items = endpointInvokers(catalog, {
      ...(q.endpoint ? { endpoint: q.endpoint } : {}),
      ...(q.account ? { account: q.account } : {}),
    });
    return items ?? refuse(404, `no endpoint "${q.endpoint}" in the catalog (endpoint= takes the endpoint's ARN)`);
  });
  route('/questions/overpermissive-roles', RolesQuery, ['iam'], (q) => {
    if (q.capability && !(CAPABILITIES as readonly string[]).includes(q.capability))
      return refuse(400, `invalid capability "${q.capability}"; one of: ${CAPABILITIES.join(', ')}`);
    return overpermissiveRoles(catalog, {
      ...(q.account ? { account: q.account } : {}),
      ...(q.capability ? { capability: q.capability as Capability } : {}),
    });
  });
  route('/questions/internet-reachable-notebooks', AccountQuery, ['iam', 'ec2'], (q) =>
    internetReachableNotebooks(catalog, q.account ? { account: q.account } : {}),
  );
  route('/questions/externally-writable-training-data', AccountQuery, ['iam'], (q) =>
    externallyWritableTrainingData(catalog, q.account ? { account: q.account } : {}),
  );
}
