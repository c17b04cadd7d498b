/**
 * deploy/iam-policy.json and deploy/policies/: each grant is exactly what the agent's own read-only
 * allowlist lets it send to that service — nothing it never sends, nothing it sends left out — and
 * nothing that writes.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../src/aws/clients.js';
import { selectResources } from '../../src/crawl/engine.js';
import { ALLOWED_OPERATIONS, allowedOperations, NON_CRAWL_OPERATIONS } from '../../src/aws/allowlist.js';
import { crawlerOperations } from '../../src/crawl/operations.js';
import { iamPolicy } from '../../src/crawl/iam-policy.js';
import { isGetSecret } from '../../src/secrets/azure-key-vault/guard.js';
import { createSecretsManagerClient } from '../../src/secrets/aws-secrets-manager/client.js';
import { ALLOWED_SECRET_MANAGER_RPCS } from '../../src/secrets/gcp-secret-manager/index.js';
import { GOOGLE_TOKEN_URL } from '../../src/secrets/gcp-secret-manager/transport.js';
import { createNetwork } from '../../src/net/index.js';
import { checkReadOnly } from '../../src/secrets/vault/index.js';
import { policyPath, readPath } from '../../src/secrets/vault/reference.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const policies = join(root, 'deploy', 'policies');
const read = (...parts: string[]) => readFileSync(join(root, ...parts), 'utf8');
const readPolicy = (file: string) => readFileSync(join(policies, file), 'utf8');
const REGENERATE = 'npm run build && node dist/src/cli/main.js policy > deploy/iam-policy.json';

interface IamStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string>>;
}
const asList = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const statements = (file: string) => (JSON.parse(readPolicy(file)) as { Statement: IamStatement[] }).Statement;

describe('deploy/iam-policy.json', () => {
  it(`is what \`sdr-agent policy\` prints today (regenerate: ${REGENERATE})`, () => {
    const expected = `${JSON.stringify(iamPolicy(selectResources([])), null, 2)}\n`;
    expect(read('deploy', 'iam-policy.json'), `deploy/iam-policy.json is out of date; regenerate it: ${REGENERATE}`).toBe(expected);
  });

  it("grants exactly the crawler's operations, each List, Describe or Search on SageMaker, or sts:GetCallerIdentity", () => {
    const granted = (JSON.parse(read('deploy', 'iam-policy.json')) as { Statement: IamStatement[] }).Statement.flatMap((s) =>
      asList(s.Action),
    );
    expect([...granted].sort()).toEqual(crawlerOperations());
    for (const op of granted) expect(op).toMatch(/^sagemaker:(List[A-Z]\w*|Describe[A-Z]\w*|Search)$|^sts:GetCallerIdentity$/);
  });

  it('policies/aws-enrichment-policy.json holds the statements `sdr-agent policy --iam --ec2` adds, and nothing else', () => {
    const full = iamPolicy(selectResources([]), undefined, { iam: true, ec2: true }) as { Statement: IamStatement[] };
    const added = full.Statement.filter(
      (x) => !(iamPolicy(selectResources([])) as { Statement: IamStatement[] }).Statement.some((b) => b.Sid === x.Sid),
    );
    expect(statements('aws-enrichment-policy.json')).toEqual(added);
    expect(added.flatMap((x) => asList(x.Action)).sort()).toEqual([
      'ec2:DescribeRouteTables',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSubnets',
      'iam:GetAccountAuthorizationDetails',
    ]);
  });
});

describe('deploy/policies: AWS (Secrets Manager, assume-role)', () => {
  const files = readdirSync(policies).filter((f) => f.startsWith('aws-') && f.endsWith('.json'));

  it("every action in them is on the guard's allowlist, or kms:Decrypt through Secrets Manager only", () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      for (const s of statements(file)) {
        expect(s.Effect, file).toBe('Allow');
        for (const action of asList(s.Action)) {
          expect(action, `${file}: no wildcard actions`).not.toContain('*');
          if (action === 'kms:Decrypt') {
            // Only for a customer-managed key, and only when Secrets Manager asks on the agent's behalf.
            expect(s.Sid, file).toMatch(/CustomerManaged/);
            expect(s.Condition?.StringEquals?.['kms:ViaService'], file).toBe('secretsmanager.<region>.amazonaws.com');
            continue;
          }
          expect(ALLOWED_OPERATIONS.has(action), `${file}: ${action} is not on the agent's allowlist (src/aws/allowlist.ts)`).toBe(true);
        }
      }
    }
  });

  it("Secrets Manager: GetSecretValue alone (the store's whole allowlist), on named secrets, in both the identity and the resource policy", () => {
    expect(allowedOperations('secretsmanager')).toEqual(['GetSecretValue']);
    const want = allowedOperations('secretsmanager').map((o) => `secretsmanager:${o}`);
    const identity = statements('aws-secrets-manager-identity-policy.json');
    const sm = identity.filter((s) => asList(s.Action).some((a) => a.startsWith('secretsmanager:')));
    expect(sm.flatMap((s) => asList(s.Action))).toEqual(want);
    // An identity policy names the secrets (the -?????? suffix Secrets Manager appends), never "*".
    for (const r of sm.flatMap((s) => asList(s.Resource)))
      expect(r).toMatch(/^arn:aws:secretsmanager:<region>:<account-id>:secret:<secret-name>-\?{6}$/);
    const kms = identity.filter((s) => asList(s.Action).includes('kms:Decrypt'));
    for (const r of kms.flatMap((s) => asList(s.Resource))) expect(r).toMatch(/^arn:aws:kms:<region>:<account-id>:key\/<kms-key-id>$/);

    // The resource policy sits on the secret ("*" there is that secret) and admits one principal.
    const resource = statements('aws-secrets-manager-resource-policy.json');
    expect(resource.flatMap((s) => asList(s.Action))).toEqual(want);
    for (const s of resource) expect(s.Principal).toEqual({ AWS: 'arn:aws:iam::<account-id>:role/<sdr-agent-secrets-role>' });
  });

  it('assume-role: sts:AssumeRole on the one reader role, and the role trusts the base identity with an external ID', () => {
    const sts = NON_CRAWL_OPERATIONS.filter((o) => o.startsWith('sts:'));
    expect(sts).toEqual(['sts:AssumeRole']);
    const base = statements('aws-assume-role-base-identity-policy.json');
    expect(base.flatMap((s) => asList(s.Action))).toEqual(sts);
    expect(base.flatMap((s) => asList(s.Resource))).toEqual(['arn:aws:iam::<crawled-account-id>:role/<sdr-reader-role>']);
    const trust = statements('aws-reader-role-trust-policy.json');
    expect(trust.flatMap((s) => asList(s.Action))).toEqual(sts);
    expect(trust[0]?.Condition?.StringEquals?.['sts:ExternalId']).toBe('<external-id>');
  });

  it('together with iam-policy.json they grant every operation the guard allows, and only those (plus kms:Decrypt)', () => {
    const crawl = (JSON.parse(read('deploy', 'iam-policy.json')) as { Statement: IamStatement[] }).Statement.flatMap((s) =>
      asList(s.Action),
    );
    const all = new Set([...crawl, ...files.flatMap((f) => statements(f).flatMap((s) => asList(s.Action)))]);
    all.delete('kms:Decrypt');
    expect([...all].sort()).toEqual([...ALLOWED_OPERATIONS].sort());
  });
});

/** `path "…" { capabilities = [...] }` blocks of a Vault policy, comments removed. */
function vaultRules(hcl: string): Array<{ path: string; capabilities: string[] }> {
  const code = hcl.replace(/#.*$/gm, '');
  const rules = [...code.matchAll(/path\s+"([^"]+)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*\}/g)].map((m) => ({
    path: m[1]!,
    capabilities: [...m[2]!.matchAll(/"([^"]+)"/g)].map((c) => c[1]!),
  }));
  // Every block was understood: nothing else in the file grants anything.
  expect((code.match(/\bpath\s+"/g) ?? []).length).toBe(rules.length);
  expect(code.replace(/path\s+"[^"]+"\s*\{\s*capabilities\s*=\s*\[[^\]]*\]\s*\}/g, '').trim()).toBe('');
  return rules;
}

/** The HTTP method Vault maps each capability from (POST/PUT is create or update; the agent's renew and revoke are update). */
const METHOD_OF: Record<string, string> = { read: 'GET', update: 'POST' };

describe('deploy/policies: Vault', () => {
  const mount = 'kv/team-a';
  const secretPath = 'sdr/aws';
  const fill = (p: string) => p.replaceAll('<kv-mount>', mount).replaceAll('<secret-path>', secretPath);

  for (const kvVersion of [2, 1] as const) {
    const file = `vault-kv-v${kvVersion}.hcl`;
    const scope = { kvMount: mount, kvVersion };

    it(`${file}: every rule is a request the store's guard lets through, read or update only`, () => {
      const rules = vaultRules(readPolicy(file));
      expect(rules.length).toBeGreaterThan(0);
      for (const rule of rules) {
        for (const cap of rule.capabilities) {
          expect(Object.keys(METHOD_OF), `${file}: ${rule.path} grants "${cap}"`).toContain(cap);
          // Update only on the token's own renewal and revocation: nothing else is written.
          if (cap === 'update') expect(rule.path).toMatch(/^auth\/token\/(renew|revoke)-self$/);
          expect(() => checkReadOnly(METHOD_OF[cap]!, fill(rule.path), scope), `${file}: ${cap} on ${rule.path}`).not.toThrow();
        }
        // Placeholders only where a name goes; no globs (they would grant secrets the agent never reads).
        expect(rule.path).not.toMatch(/[*+]/);
      }
    });

    it(`${file}: grants every authenticated request the store sends, on the path the store's hints name`, () => {
      const granted = new Set(vaultRules(readPolicy(file)).flatMap((r) => r.capabilities.map((c) => `${METHOD_OF[c]} ${fill(r.path)}`)));
      const sent = [
        // The KV read (and, on v2, a pinned version: Vault's ACL ignores the query).
        ['GET', readPath(mount, secretPath, kvVersion, undefined)],
        ...(kvVersion === 2 ? [['GET', readPath(mount, secretPath, 2, '3')]] : []),
        ['GET', 'auth/token/lookup-self'],
        ['POST', 'auth/token/renew-self'],
        ['POST', 'auth/token/revoke-self'],
      ] as const;
      for (const [method, path] of sent) {
        expect(() => checkReadOnly(method, path, scope)).not.toThrow();
        expect(granted, `${file} does not grant ${method} ${path}`).toContain(`${method} ${path.split('?')[0]}`);
      }
      expect(granted).toContain(`GET ${policyPath(mount, secretPath, kvVersion)}`);
      // The login and sys/health are unauthenticated: no rule for them, and nothing else either.
      expect(granted.size).toBe(4);
    });
  }

  it('the guard refuses what the policies leave out: listing, metadata, writes', () => {
    const scope = { kvMount: mount, kvVersion: 2 as const };
    for (const [method, path] of [
      ['LIST', `${mount}/metadata/sdr`],
      ['GET', `${mount}/metadata/${secretPath}`],
      ['POST', `${mount}/data/${secretPath}`],
      ['DELETE', `${mount}/data/${secretPath}`],
      ['GET', 'sys/mounts'],
    ]) {
      expect(() => checkReadOnly(method!, path!, scope), `${method} ${path}`).toThrow(/read-only|not allowed|refused/i);
    }
  });
});

describe('deploy/policies: Azure Key Vault', () => {
  const GET_SECRET = 'Microsoft.KeyVault/vaults/secrets/getSecret/action';
  const SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6';
  const vault = 'https://sdr-prod.vault.azure.net';

  it("the store's guard lets through getSecret alone, the one request the role's data action covers", () => {
    expect(isGetSecret('GET', `${vault}/secrets/sdr-aws/?api-version=7.5`, vault)).toBe(true);
    expect(isGetSecret('GET', `${vault}/secrets/sdr-aws/0123456789abcdef0123456789abcdef?api-version=7.5`, vault)).toBe(true);
    // Listing secrets or versions, setting, deleting, backing up: refused, and not granted below.
    for (const [method, path] of [
      ['GET', '/secrets'],
      ['GET', '/secrets/sdr-aws/versions'],
      ['PUT', '/secrets/sdr-aws'],
      ['DELETE', '/secrets/sdr-aws'],
      ['POST', '/secrets/sdr-aws/backup'],
      ['GET', '/keys/sdr-aws'],
    ]) {
      expect(isGetSecret(method!, `${vault}${path}?api-version=7.5`, vault), `${method} ${path}`).toBe(false);
    }
  });

  it('the custom role holds getSecret/action and nothing else', () => {
    const role = JSON.parse(readPolicy('azure-key-vault-custom-role.json')) as Record<string, unknown>;
    expect(role.Actions).toEqual([]);
    expect(role.DataActions).toEqual([GET_SECRET]);
    expect(role.AssignableScopes).toEqual([
      '/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.KeyVault/vaults/<vault-name>',
    ]);
  });

  it('the Bicep assigns Key Vault Secrets User per secret, or an access policy with secrets "get" only', () => {
    const bicep = readPolicy('azure-key-vault-role-assignment.bicep');
    const code = bicep.replace(/\/\/.*$/gm, '');
    const guids = [...code.matchAll(/'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'/g)].map((m) => m[1]);
    expect(guids).toEqual([SECRETS_USER]);
    expect(code).toMatch(/scope: secrets\[i\]/);
    const permissions = /permissions:\s*\{([^}]*)\}/.exec(code)?.[1] ?? '';
    expect(permissions.replace(/\s+/g, ' ').trim()).toBe("secrets: [ 'get' ] keys: [] certificates: []");
  });

  it('the az example assigns only Key Vault Secrets User or the custom role, and access policies get only', () => {
    const sh = readPolicy('azure-key-vault-role-assignment.sh');
    const roles = [...sh.matchAll(/--role '([^']+)'/g)].map((m) => m[1]);
    expect(new Set(roles)).toEqual(new Set(['Key Vault Secrets User', JSON.parse(readPolicy('azure-key-vault-custom-role.json')).Name]));
    expect([...sh.matchAll(/--secret-permissions (.*)$/gm)].map((m) => m[1]!.trim())).toEqual(['get']);
    expect(sh).not.toMatch(/--(key|certificate|storage)-permissions/);
  });
});

describe('deploy/policies: GCP Secret Manager', () => {
  /** Google's documented permission of each RPC the store may send, and of the role granted. */
  const PERMISSION_OF_RPC: Record<string, string> = { accessSecretVersion: 'secretmanager.versions.access' };
  const ROLE_PERMISSIONS: Record<string, string[]> = { 'roles/secretmanager.secretAccessor': ['secretmanager.versions.access'] };

  it('the role granted holds exactly the permissions of the RPCs the store allows', () => {
    const needed = [...ALLOWED_SECRET_MANAGER_RPCS].map((rpc) => PERMISSION_OF_RPC[rpc]);
    expect(needed, "a new RPC on the store's allowlist needs its permission here and in deploy/policies").not.toContain(undefined);
    const doc = JSON.parse(readPolicy('gcp-secret-manager-policy.json')) as { bindings: Array<{ role: string; members: string[] }> };
    const sh = readPolicy('gcp-secret-manager-binding.sh');
    const roles = [...doc.bindings.map((b) => b.role), ...[...sh.matchAll(/--role='([^']+)'/g)].map((m) => m[1]!)];
    expect(new Set(roles)).toEqual(new Set(['roles/secretmanager.secretAccessor']));
    for (const role of roles) expect(ROLE_PERMISSIONS[role]?.sort()).toEqual([...needed].sort());
    for (const b of doc.bindings) expect(b.members).toEqual(['serviceAccount:<service-account>@<project-id>.iam.gserviceaccount.com']);
  });

  it('binds on the secret, never on the project', () => {
    const sh = readPolicy('gcp-secret-manager-binding.sh');
    const commands = sh.split('\n').filter((l) => /^\s*gcloud /.test(l));
    expect(commands).toEqual(["gcloud secrets add-iam-policy-binding '<secret-name>' \\"]);
    expect(sh).not.toMatch(/gcloud projects add-iam-policy-binding/);
  });
});

describe('deploy/policies: nothing writes', () => {
  const files = readdirSync(policies).filter((f) => f !== 'README.md');

  it('no write, list or admin grant in any file', () => {
    const forbidden = [
      /secretsmanager:(?!GetSecretValue\b)\w+/,
      /sagemaker:(?!(List|Describe)[A-Z]|Search\b)\w+/,
      /sts:(?!AssumeRole\b|GetCallerIdentity\b|ExternalId\b)\w+/,
      /kms:(?!Decrypt\b|ViaService\b)\w+/,
      /"(create|delete|list|sudo|patch|deny)"/,
      /'(set|delete|list|purge|backup|restore|recover|all)'/i,
      /setSecret|Secrets Officer|Key Vault Administrator|Contributor/,
      /secretVersionAdder|secretVersionManager|secretmanager\.admin|roles\/(owner|editor|viewer)/,
    ];
    for (const file of [...files.map((f) => join(policies, f)), join(root, 'deploy', 'iam-policy.json')]) {
      const text = readFileSync(file, 'utf8');
      for (const re of forbidden) expect(text, `${file} matches ${re}`).not.toMatch(re);
    }
  });

  it('the shell examples are valid sh', () => {
    for (const f of files.filter((f) => f.endsWith('.sh'))) execFileSync('sh', ['-n', join(policies, f)]);
  });

  it('deploy/policies/README.md explains every file in the folder', () => {
    const readme = readPolicy('README.md');
    for (const f of files) expect(readme, f).toContain(`(${f})`);
  });
});

describe('docs/network.md', () => {
  const doc = read('docs', 'network.md');

  /** The endpoint an agent-made AWS client resolves in `region`, with its own configuration (no override). */
  async function resolved(client: { config: Record<string, any> }, region: string): Promise<string> {
    const c = client.config;
    const params = {
      Region: region,
      UseFIPS: await c.useFipsEndpoint(),
      UseDualStack: await c.useDualstackEndpoint(),
      ...(c.useGlobalEndpoint ? { UseGlobalEndpoint: await c.useGlobalEndpoint() } : {}),
    };
    return (await c.endpointProvider(params)).url.host as string;
  }

  it("names the AWS endpoints the agent's own clients resolve (regional STS, even in us-east-1), with <region> for the region", async () => {
    const network = createNetwork({ proxy: {} });
    const factory = createClientFactory({ network });
    try {
      for (const region of ['eu-west-1', 'us-east-1']) {
        const secrets = createSecretsManagerClient({ region, network, timeoutMs: 1000 });
        const hosts = [
          await resolved(factory.sageMaker(region), region),
          await resolved(factory.sts(region), region),
          await resolved(secrets, region),
        ];
        secrets.destroy();
        expect(hosts).toEqual([
          `api.sagemaker.${region}.amazonaws.com`,
          `sts.${region}.amazonaws.com`,
          `secretsmanager.${region}.amazonaws.com`,
        ]);
        for (const host of hosts) expect(doc).toContain(`\`${host.replace(region, '<region>')}\``);
      }
    } finally {
      factory.destroy();
      network.destroy();
    }
  });

  it("names the secret stores' hosts: Google's token URL and Secret Manager, Entra ID, Key Vault", () => {
    for (const host of [
      new URL(GOOGLE_TOKEN_URL).host,
      'secretmanager.googleapis.com',
      'login.microsoftonline.com',
      '<vault-name>.vault.azure.net',
    ])
      expect(doc).toContain(`\`${host}\``);
  });
});
