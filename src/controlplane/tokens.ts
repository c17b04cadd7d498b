/**
 * Agent and admin tokens of the reference control plane. Tokens are random, shown once when issued,
 * and stored only as SHA-256 hashes in `agents.json` and `admin.json` (mode 0600) in the data
 * directory. The files are re-read when they change, so `sdr-agent control-plane token` works while
 * the server runs, and removing an entry revokes it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from './files.js';

/** Agent ids as the protocol allows them (`hello.agentId`). */
export const AGENT_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

interface AgentsFile {
  agents: Record<string, { sha256: string; createdAt: string }>;
}
interface AdminFile {
  tokens: { sha256: string; createdAt: string }[];
}

const sha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

function newToken(kind: 'agent' | 'admin'): string {
  return `sdr_${kind}_${randomBytes(32).toString('base64url')}`;
}

/** Issue (or replace) the token of agent `agentId`; returns the token, which is not stored. */
export function issueAgentToken(dataDir: string, agentId: string): string {
  if (!AGENT_ID_PATTERN.test(agentId)) throw new Error(`agent id must be 1-128 characters of A-Z a-z 0-9 . _ -`);
  const path = join(dataDir, 'agents.json');
  const file = readJsonFile<AgentsFile>(path, { agents: {} });
  const token = newToken('agent');
  file.agents[agentId] = { sha256: sha256(token), createdAt: new Date().toISOString() };
  writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
  return token;
}

/** Issue an additional admin (REST API) token. */
export function issueAdminToken(dataDir: string): string {
  const path = join(dataDir, 'admin.json');
  const file = readJsonFile<AdminFile>(path, { tokens: [] });
  const token = newToken('admin');
  file.tokens.push({ sha256: sha256(token), createdAt: new Date().toISOString() });
  writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
  return token;
}

/** A JSON file cached until its mtime or size changes. */
class Watched<T> {
  private stamp = '';
  private value: T;
  constructor(
    private readonly path: string,
    private readonly fallback: T,
  ) {
    this.value = fallback;
  }
  get(): T {
    let stamp = 'missing';
    try {
      const s = statSync(this.path);
      stamp = `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      // missing: fallback
    }
    if (stamp !== this.stamp) {
      this.value = stamp === 'missing' ? this.fallback : readJsonFile(this.path, this.fallback);
      this.stamp = stamp;
    }
    return this.value;
  }
}

/** Verifies bearer tokens against the hashed files. */
export class TokenRegistry {
  private readonly agents: Watched<AgentsFile>;
  private readonly admin: Watched<AdminFile>;

  constructor(dataDir: string) {
    this.agents = new Watched(join(dataDir, 'agents.json'), { agents: {} });
    this.admin = new Watched(join(dataDir, 'admin.json'), { tokens: [] });
  }

  /** The agent id a token belongs to, or undefined. */
  agentFor(token: string | undefined): string | undefined {
    if (!token) return undefined;
    const hash = sha256(token);
    for (const [id, entry] of Object.entries(this.agents.get().agents ?? {})) if (sameHash(entry.sha256, hash)) return id;
    return undefined;
  }

  /** Whether the agent still has a token (a removed entry revokes the sessions using it). */
  agentExists(agentId: string): boolean {
    return Object.hasOwn(this.agents.get().agents ?? {}, agentId);
  }

  isAdmin(token: string | undefined): boolean {
    if (!token) return false;
    const hash = sha256(token);
    return (this.admin.get().tokens ?? []).some((t) => sameHash(t.sha256, hash));
  }

  /** Ids of every agent that has a token. */
  agentIds(): string[] {
    return Object.keys(this.agents.get().agents ?? {});
  }
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header ?? '');
  return m?.[1];
}
