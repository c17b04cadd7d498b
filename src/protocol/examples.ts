/**
 * One realistic example of every message. The tests round-trip each, and docs/protocol.md shows
 * the same messages, so a control plane implementer can use them as conformance fixtures.
 */
import type { GraphRecord } from '../records/types.js';
import type { AgentMessage } from './agent.js';
import { encodeBatch } from './batch.js';
import { PROTOCOL_VERSION } from './constants.js';
import type { ControlMessage } from './control.js';

const ACCOUNT = '111122223333';
const JOB = 'arn:aws:sagemaker:us-east-1:111122223333:training-job/churn-xgb';
const ROLE = 'arn:aws:iam::111122223333:role/SageMakerExecution';

/** Records as `sdr-agent crawl` writes them (docs/records.md), for the example batch. */
export const EXAMPLE_RECORDS: GraphRecord[] = [
  {
    type: 'node',
    label: 'AWSSageMakerTrainingJob',
    id: JOB,
    account: ACCOUNT,
    region: 'us-east-1',
    properties: {
      trainingJobName: 'Churn-XGB',
      trainingJobStatus: 'Completed',
      enableNetworkIsolation: true,
      enableInterContainerTrafficEncryption: false,
      roleArn: ROLE,
      hyperParameters: { max_depth: '6', api_key: '[REDACTED]' },
      creationTime: '2024-05-01T10:00:00.000Z',
    },
  },
  { type: 'node', label: 'AWSS3Bucket', extraLabels: ['S3Bucket'], id: 'ml-data', properties: { name: 'ml-data' } },
  { type: 'node', label: 'AWSRole', id: ROLE, account: ACCOUNT, properties: { arn: ROLE } },
  {
    type: 'edge',
    label: 'READS_FROM',
    from: { label: 'AWSSageMakerTrainingJob', id: JOB },
    to: { label: 'AWSS3Bucket', id: 'ml-data' },
    properties: { channel: 'train', uri: 's3://ml-data/churn/train/' },
  },
  {
    type: 'edge',
    label: 'HAS_EXECUTION_ROLE',
    from: { label: 'AWSSageMakerTrainingJob', id: JOB },
    to: { label: 'AWSRole', id: ROLE },
    properties: {},
  },
];

const jobId = 'job-2024-05-01T10:00:00Z-7f3a';
const checkId = 'check-20240501T100500-9c1e';

/** One example of every agent → control plane message, keyed by type. */
export const AGENT_EXAMPLES = {
  hello: {
    type: 'hello',
    agentId: 'prod-eu.agent-1',
    agentVersion: '0.1.0',
    protocolVersion: PROTOCOL_VERSION,
    capabilities: {
      resourceTypes: ['training-job', 'model', 'endpoint'],
      secretStores: [],
      maxConcurrentJobs: 2,
      compression: ['gzip'],
      messages: ['check.run'],
    },
    resume: { jobs: [{ jobId, lastSeq: 12, ackedSeq: 10 }] },
  },
  'crawl.accepted': { type: 'crawl.accepted', jobId },
  'crawl.rejected': {
    type: 'crawl.rejected',
    jobId,
    reason: 'not_allowed',
    message: 'region ap-south-1 is not in connection "prod" regions',
  },
  progress: { type: 'progress', jobId, scopesDone: 3, scopesTotal: 6, records: 1840, calls: 212 },
  batch: encodeBatch(jobId, 1, EXAMPLE_RECORDS),
  'crawl.done': {
    type: 'crawl.done',
    jobId,
    status: 'partial',
    account: ACCOUNT,
    lastSeq: 12,
    scopes: [
      { region: 'us-east-1', type: 'training-job', status: 'completed', mode: 'search', resources: 412, skipped: 1 },
      {
        region: 'us-east-1',
        type: 'endpoint',
        status: 'failed',
        mode: 'list',
        resources: 0,
        skipped: 0,
        error: {
          operation: 'sagemaker:ListEndpoints',
          code: 'AccessDeniedException',
          kind: 'scope',
          message: 'sagemaker:ListEndpoints in us-east-1: access denied',
        },
      },
    ],
    counts: { nodes: 530, edges: 1310 },
    calls: { 'sts:GetCallerIdentity': 1, 'sagemaker:Search': 5, 'sagemaker:ListTrainingJobs': 5, 'sagemaker:ListEndpoints': 1 },
  },
  draining: { type: 'draining', reason: 'SIGTERM' },
  'check.result': {
    type: 'check.result',
    jobId: checkId,
    ok: false,
    checks: [
      {
        check: 'secret-store',
        status: 'ok',
        store: 'vault-prod',
        message: 'secret store "vault-prod" (vault) is reachable and the agent is authenticated',
      },
      {
        check: 'aws-identity',
        status: 'ok',
        connection: 'prod',
        region: 'us-east-1',
        action: 'sts:GetCallerIdentity',
        message: 'connection "prod" authenticates as account 111122223333',
      },
      {
        check: 'aws-read',
        status: 'ok',
        connection: 'prod',
        region: 'us-east-1',
        resourceType: 'training-job',
        action: 'sagemaker:ListTrainingJobs',
        message: 'sagemaker:ListTrainingJobs in us-east-1 works',
      },
      {
        check: 'aws-read',
        status: 'denied',
        connection: 'prod',
        region: 'us-east-1',
        resourceType: 'endpoint',
        action: 'sagemaker:ListEndpoints',
        message: 'sagemaker:ListEndpoints in us-east-1: access denied (AccessDeniedException)',
        hint: 'Allow sagemaker:ListEndpoints to the identity of connection "prod" (`sdr-agent policy` prints the whole policy).',
      },
      { check: 'control-plane', status: 'ok', message: 'answered over this session (sess_01HXYZ7Q5R2M)' },
    ],
  },
  error: {
    type: 'error',
    code: 'SDR_PROTO_INVALID',
    message: 'invalid crawl.start: /regions/0 must match pattern "^[a-z]{2}(-[a-z]+)+-\\d+$"',
    jobId,
  },
} as const satisfies { [K in AgentMessage['type']]: Extract<AgentMessage, { type: K }> };

/** One example of every control plane → agent message, keyed by type. */
export const CONTROL_EXAMPLES = {
  welcome: {
    type: 'welcome',
    sessionId: 'sess_01HXYZ7Q5R2M',
    protocolVersion: PROTOCOL_VERSION,
    heartbeatIntervalMs: 20_000,
    limits: { maxFrameBytes: 4 * 1024 * 1024, creditWindow: 8, maxBatchRecords: 1000 },
  },
  'crawl.start': {
    type: 'crawl.start',
    jobId,
    connection: 'prod',
    regions: ['us-east-1', 'eu-west-1'],
    types: ['training-job', 'endpoint'],
    since: '2024-04-30T00:00:00Z',
  },
  ack: { type: 'ack', jobId, seq: 10 },
  'crawl.cancel': { type: 'crawl.cancel', jobId, reason: 'cancelled by user' },
  'check.run': { type: 'check.run', jobId: checkId },
  error: { type: 'error', code: 'SDR_PROTO_UNKNOWN_TYPE', message: 'unknown message type (agent → control plane)' },
} as const satisfies { [K in ControlMessage['type']]: Extract<ControlMessage, { type: K }> };
