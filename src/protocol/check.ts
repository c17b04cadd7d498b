/**
 * The preflight check over the tunnel: `check.run` (control plane → agent) and `check.result`
 * (agent → control plane). The result carries the same items `sdr-agent check` prints. Sent only
 * to agents that list `check.run` in `hello.capabilities.messages` (docs/protocol.md, Capabilities).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Closed, JobId, Region, ResourceType, StringEnum, Text } from './common.js';

/**
 * Outcomes of one check. `denied`: AWS or a store refused the identity (the item names the IAM
 * action); `unreachable`: no answer (network, DNS, TLS, 5xx); `throttled`: rate-limited, try
 * again; `failed`: anything else (invalid, rejected credentials); `skipped`: not tried because a
 * check it depends on failed.
 */
export const CHECK_STATUSES = ['ok', 'denied', 'unreachable', 'throttled', 'failed', 'skipped'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** Most items in one result: every store and reference, plus a connection's regions × types. */
export const MAX_CHECK_ITEMS = 4096;

/** One check and its outcome. Only names and codes: never a secret value. */
export const CheckItem = Closed({
  /** What was checked: `config`, `secret-store`, `secret-reference`, `aws-identity`, `aws-read`, `control-plane` (open: a newer agent may add kinds). */
  check: Type.String({ maxLength: 32, pattern: '^[a-z][a-z-]*$' }),
  status: StringEnum(CHECK_STATUSES),
  /** The configured secret store. */
  store: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' })),
  /** The configured connection. */
  connection: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' })),
  region: Type.Optional(Region),
  resourceType: Type.Optional(ResourceType),
  /** The IAM action the check called, `sagemaker:ListModels`; when `denied`, the one missing from the policy. */
  action: Type.Optional(Type.String({ maxLength: 100, pattern: '^[a-z0-9-]+:[A-Za-z0-9]+$' })),
  /** What happened, for humans. */
  message: Text(),
  /** What to do about it (absent when `ok`). */
  hint: Type.Optional(Text(500)),
});
export type CheckItem = Static<typeof CheckItem>;

/** `check.run`: run the preflight checks now and answer with `check.result`. Nothing is crawled. */
export const CheckRun = Closed({ type: Type.Literal('check.run'), jobId: JobId });
export type CheckRun = Static<typeof CheckRun>;

/** `check.result`: the outcome of `check.run`; `ok` is true only when every item is `ok`. */
export const CheckResult = Closed({
  type: Type.Literal('check.result'),
  jobId: JobId,
  ok: Type.Boolean(),
  checks: Type.Array(CheckItem, { maxItems: MAX_CHECK_ITEMS }),
});
export type CheckResult = Static<typeof CheckResult>;
