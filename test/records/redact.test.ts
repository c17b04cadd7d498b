import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RESOURCES } from '../../src/crawl/resources/index.js';
import { egress, egressAll } from '../../src/records/egress.js';
import type { NodeRecord } from '../../src/records/types.js';
import { loadFixture } from '../helpers/records.js';
import { lowerCamel, toProperties } from '../../src/records/properties.js';
import { REDACTED, redactText, redactValue } from '../../src/records/redact.js';
import { namesSecret } from '../../src/records/secret-names.js';

const R = REDACTED;

describe('lowerCamel', () => {
  it.each([
    ['DirectInternetAccess', 'directInternetAccess'],
    ['KmsKeyId', 'kmsKeyId'],
    ['KMSKeyId', 'kmsKeyId'],
    ['VPCConfig', 'vpcConfig'],
    ['S3Uri', 's3Uri'],
    ['ARN', 'arn'],
    ['alreadyCamel', 'alreadyCamel'],
  ])('%s → %s', (a, b) => expect(lowerCamel(a)).toBe(b));
});

describe('names that say their value is a secret', () => {
  it.each([
    'password',
    'DB_PASSWORD',
    'passwd',
    'pwd',
    'db-pwd',
    'db_pass',
    'pw',
    'p',
    'passphrase',
    'secret',
    'client_secret',
    'ClientSecret',
    'token',
    'hf_token',
    'HF_TOKEN',
    'githubToken',
    'authtoken',
    'access_token',
    'api_key',
    'apiKey',
    'x-api-key',
    'APIKEY',
    'wandb_key',
    'openai_key',
    'AccountKey',
    'SharedAccessKey',
    'private_key',
    'credentials',
    'creds',
    'auth',
    'basic_auth',
    'Authorization',
    'bearer',
    'jwt',
    'dsn',
    'SENTRY_DSN',
    'cookie',
    'session_cookie',
    'signature',
    'X-Amz-Signature',
    'X-Amz-Credential',
    'sig',
    'webhook',
    'slack_webhook_url',
    'pat',
    'GITHUB_PAT',
    'dbpassword',
    'mysecret',
    'connection_string',
    'ConnectionString',
  ])('%s', (name) => expect(namesSecret(name)).toBe(true));

  it.each([
    // SageMaker API fields that name or describe a secret rather than hold one.
    'SecretArn',
    'KmsKeyId',
    'KmsKey',
    'VolumeKmsKeyId',
    'S3KmsKeyId',
    'AuthMode',
    'AuthType',
    'TokenEndpoint',
    'AuthorizationEndpoint',
    'AuthorizedUrl',
    'RepositoryCredentialsProviderArn',
    'RepositoryAuthConfig',
    'ObjectKey',
    'ResourceKey',
    'TagKeys',
    'Key',
    // Hyperparameters that are not secrets.
    'max_tokens',
    'max_new_tokens',
    'tokenizer',
    'tokenizer_name',
    'learning_rate',
    'epochs',
    'sort_key',
    'partition_key',
    'path',
    'pattern',
    'pass_through_count',
    'num_passes',
    'public_key',
    'instance_type',
    'region',
    'name',
    'bucket',
  ])('not %s', (name) => expect(namesSecret(name)).toBe(false));
});

describe('text rules', () => {
  it('URLs: userinfo, signed-URL and secret-named query parameters; scheme, host and path kept', () => {
    expect(redactText('https://bot:ghp_secret@github.com/o/r.git')).toBe(`https://${R}@github.com/o/r.git`);
    expect(redactText('s3://bucket/key')).toBe('s3://bucket/key');
    expect(
      redactText('https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAX%2F2024&X-Amz-Security-Token=IQoJb3&X-Amz-Signature=abc&versionId=1'),
    ).toBe(`https://b.s3.amazonaws.com/k?X-Amz-Credential=${R}&X-Amz-Security-Token=${R}&X-Amz-Signature=${R}&versionId=1`);
    expect(redactText('https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=00ff')).toBe(
      `https://storage.googleapis.com/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Signature=${R}`,
    );
    expect(redactText('https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2030-01-01&sp=r&sig=abc%2Bdef%3D')).toBe(
      `https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2030-01-01&sp=r&sig=${R}`,
    );
    expect(redactText('https://api.example.com/v1?key=abc123&api_key=k&private_token=t&page=2')).toBe(
      `https://api.example.com/v1?key=${R}&api_key=${R}&private_token=${R}&page=2`,
    );
    expect(redactText('postgresql://admin:p@ss/w0rd@db.internal:5432/prod')).toBe(`postgresql://${R}@db.internal:5432/prod`);
    expect(redactText('https://user:pa@ss@host.example/x')).toBe(`https://${R}@host.example/x`);
    expect(redactText('https://host.example:8080/users/me@example.com')).toBe('https://host.example:8080/users/me@example.com');
    expect(redactText('https://app.example/cb#access_token=tok123&state=x')).toBe(`https://app.example/cb#access_token=${R}&state=x`);
    expect(redactText('see https://u:p@h.example/x and s3://b/k')).toBe(`see https://${R}@h.example/x and s3://b/k`);
    expect(redactText('//bot:pw-1234@git.example.com/r.git')).toBe(`//${R}@git.example.com/r.git`);
    expect(redactText('s3://lake/year=2024/token=abc123/part.csv')).toBe('s3://lake/year=2024/token=abc123/part.csv');
  });

  it('connection strings: JDBC, ADO.NET, DSN and libpq', () => {
    expect(redactText('jdbc:sqlserver://db:1433;databaseName=ml;user=sa;password=Sup3r;encrypt=true')).toBe(
      `jdbc:sqlserver://db:1433;databaseName=ml;user=sa;password=${R};encrypt=true`,
    );
    expect(redactText('Server=tcp:db.example;Database=ml;User Id=sa;Password=two words;')).toBe(
      `Server=tcp:db.example;Database=ml;User Id=sa;Password=${R};`,
    );
    expect(redactText('DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=abc/def==;EndpointSuffix=core.windows.net')).toBe(
      `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${R};EndpointSuffix=core.windows.net`,
    );
    expect(redactText('DSN=prod;UID=u;PWD=pw1')).toBe(`DSN=${R};UID=u;PWD=${R}`);
    expect(redactText('host=db dbname=ml user=u password=hunter22')).toBe(`host=db dbname=ml user=u password=${R}`);
  });

  it('free text: key=value, key: value, flags, auth headers, shell strings', () => {
    expect(redactText('AlgorithmError: Command "python train.py --hf_token hf_x1 --wandb_key=wk2 --epochs 3" failed')).toBe(
      `AlgorithmError: Command "python train.py --hf_token ${R} --wandb_key=${R} --epochs 3" failed`,
    );
    expect(redactText('connect failed token=abc123 retry=3')).toBe(`connect failed token=${R} retry=3`);
    expect(redactText('Deploy notes. token: s3cr3tval, owner: ml-team')).toBe(`Deploy notes. token: ${R}, owner: ml-team`);
    expect(redactText(`bash -c "curl -H 'Authorization: Bearer abc.def.ghi' https://x.example"`)).toBe(
      `bash -c "curl -H 'Authorization: Bearer ${R}' https://x.example"`,
    );
    expect(redactText('aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG && aws configure set region us-east-1')).toBe(
      `aws configure set aws_secret_access_key ${R} && aws configure set region us-east-1`,
    );
    expect(redactText('mysql -u root -p s3cret --db-pwd pw2 --pwd "two words" -v')).toBe(
      `mysql -u root -p ${R} --db-pwd ${R} --pwd "${R}" -v`,
    );
    expect(redactText(`{'api_key': 'k-123', 'lr': 0.1}`)).toBe(`{'api_key': '${R}', 'lr': 0.1}`);
    expect(redactText('Basic dXNlcjpwYXNz')).toBe(`Basic ${R}`);
    expect(redactText('Authorization: token gho16abc and authorization: bearer xyz.123')).toBe(
      `Authorization: token ${R} and authorization: bearer ${R}`,
    );
    expect(redactText('Bearer tokens are rejected')).toBe('Bearer tokens are rejected');
    expect(redactText('password => pw9x1, secret -> s3c9, password=<angle1>')).toBe(`password => ${R}, secret -> ${R}, password=${R}`);
    expect(redactText(`CREATE USER bob PASSWORD 'p4ss!' ; ALTER USER x IDENTIFIED BY 'idby7'`)).toBe(
      `CREATE USER bob PASSWORD '${R}' ; ALTER USER x IDENTIFIED BY '${R}'`,
    );
    expect(redactText('secret store "vault" (memory), secret "sdr/missing": not found')).toBe(
      'secret store "vault" (memory), secret "sdr/missing": not found',
    );
    expect(redactText('curl -u admin:adm1npw https://x.example')).toBe(`curl -u admin:${R} https://x.example`);
    expect(redactText('config:\n  password: |\n    line-one-secret\n    line-two\nnext: 1')).not.toContain('line-one-secret');
    expect(redactText('body: {\\"password\\":\\"esc4ped\\"}')).not.toContain('esc4ped');
    expect(redactText(JSON.stringify(JSON.stringify({ api_key: 'tw1ce-enc' })))).not.toContain('tw1ce-enc');
    expect(redactText('fs.azure.account.key.acct.dfs.core.windows.net=azk3y')).toBe(`fs.azure.account.key.acct.dfs.core.windows.net=${R}`);
    expect(redactText('SDR_ERR_CREDENTIALS: sts:GetCallerIdentity failed')).toBe('SDR_ERR_CREDENTIALS: sts:GetCallerIdentity failed');
  });

  it('value shapes, under any name', () => {
    const shapes = [
      'AKIAIOSFODNN7EXAMPLE',
      'ASIAQWERTYUIOPASDFGH',
      'ghp_0123456789abcdefghijABCDEFGHIJ012345',
      'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
      'glpat-abcdefghij0123456789',
      'hf_abcdefghijklmnopqrstuvwxyzABCDEF12',
      'sk-proj-abcdefghijklmnopqrstuvwx',
      'xoxb-123456789012-abcdefghij',
      'AIzaSyA-abcdefghijklmnopqrstuvwxyz01234',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig_nature-x',
    ];
    for (const s of shapes) expect(redactText(`owner notes ${s} end`)).toBe(`owner notes ${R} end`);
    expect(redactText('https://hooks.slack.com/services/T000/B000/XXXXXXXX')).toBe(`https://hooks.slack.com/services/${R}`);
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----';
    expect(redactText(`key follows ${pem} done`)).toBe(`key follows ${R} done`);
    expect(redactText('-----BEGIN PRIVATE KEY-----\nMIIE truncated')).toBe(R);
  });

  it('JSON inside a string is parsed, redacted as data and written back', () => {
    expect(JSON.parse(redactText('{"api_key": "k1", "nested": {"db": "postgres://u:p@h/d"}, "lr": 0.1}'))).toEqual({
      api_key: R,
      nested: { db: `postgres://${R}@h/d` },
      lr: 0.1,
    });
  });

  it('leaves ordinary metadata unchanged', () => {
    for (const s of [
      'arn:aws:sagemaker:us-east-1:123456789012:training-job/xgb-2024',
      'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-gpu-py310',
      's3://ml-data-bucket/train/part-0001.csv',
      'https://ml-data.s3.us-east-1.amazonaws.com/train/x.csv',
      'ml.p3.2xlarge',
      'Training job completed',
      '2024-01-02T03:04:05.000Z',
      'ClientError: Data download failed: NoSuchKey: The specified key does not exist.',
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db/password-AbCdEf',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/secret-scanner:latest',
      '{"lr": 1.0, "big": 12345678901234567890}',
      'x'.repeat(20000) + ' password',
    ])
      expect(redactText(s)).toBe(s);
  });
});

describe('structural rules', () => {
  it('variables maps: every value replaced, names kept', () => {
    expect(redactValue({ environment: { DB_PASSWORD: 'hunter2', LOG_LEVEL: 'info' }, containers: [{ environment: { X: 'y' } }] })).toEqual({
      environment: { DB_PASSWORD: R, LOG_LEVEL: R },
      containers: [{ environment: { X: R } }],
    });
  });

  it('secret-named keys anywhere (tags, hyperparameters, metadata), other keys and key case kept', () => {
    expect(
      redactValue({
        hyperParameters: { max_depth: '5', wandb_api_key: 'k', DB_Password: 'p', hf_token: 't', max_tokens: '512' },
        tags: { team: 'ml', 'github-token': 'x', note: 'AKIAIOSFODNN7EXAMPLE' },
      }),
    ).toEqual({
      hyperParameters: { max_depth: '5', wandb_api_key: R, DB_Password: R, hf_token: R, max_tokens: '512' },
      tags: { team: 'ml', 'github-token': R, note: R },
    });
  });

  it('container arguments: a secret flag hides the next item', () => {
    expect(redactValue(['--epochs', '10', '--db-password', 'pw', '--token=abc', 'plain', '-p', 'x', '--pwd', 'y'])).toEqual([
      '--epochs',
      '10',
      '--db-password',
      R,
      `--token=${R}`,
      'plain',
      '-p',
      R,
      '--pwd',
      R,
    ]);
    expect(redactValue(['--password=', 'split1', 'curl', '-u', 'admin:curlpw1'])).toEqual(['--password=', R, 'curl', '-u', `admin:${R}`]);
  });

  it('{Name, Value} pairs whose name is a secret; categorical ranges of secret hyperparameters', () => {
    expect(
      redactValue({
        parameters: [
          { name: 'api_token', value: 'v1' },
          { name: 'epochs', value: '3' },
        ],
        categoricalParameterRanges: [{ name: 'hf_token', values: ['a', 'b'] }],
      }),
    ).toEqual({
      parameters: [
        { name: 'api_token', value: R },
        { name: 'epochs', value: '3' },
      ],
      categoricalParameterRanges: [{ name: 'hf_token', values: [R, R] }],
    });
  });

  it('drops data that is not metadata: pipeline definitions and inline SHAP baselines', () => {
    expect(
      redactValue({
        pipelineDefinition: '{"Steps":[]}',
        clarify: { shapBaselineConfig: { shapBaseline: '1,2,secret-row', shapBaselineUri: 's3://b/base.csv' } },
      }),
    ).toEqual({ clarify: { shapBaselineConfig: { shapBaselineUri: 's3://b/base.csv' } } });
  });
});

describe('the egress pass', () => {
  it('walks ids, edge ends and edge properties: the uri of an S3 edge loses its signature', () => {
    const edge = egress({
      type: 'edge',
      label: 'READS_FROM',
      from: { label: 'AWSSageMakerTrainingJob', id: 'arn:aws:sagemaker:us-east-1:1:training-job/a' },
      to: { label: 'AWSS3Bucket', id: 'b' },
      properties: { uri: 'https://b.s3.amazonaws.com/k?X-Amz-Signature=abc', channel: 'train' },
    });
    expect(edge).toEqual({
      type: 'edge',
      label: 'READS_FROM',
      from: { label: 'AWSSageMakerTrainingJob', id: 'arn:aws:sagemaker:us-east-1:1:training-job/a' },
      to: { label: 'AWSS3Bucket', id: 'b' },
      properties: { uri: `https://b.s3.amazonaws.com/k?X-Amz-Signature=${R}`, channel: 'train' },
    });
    const node = egress({
      type: 'node',
      label: 'ECRImage',
      id: 'https://u:p@registry.example/img',
      properties: { uri: 'https://u:p@registry.example/img' },
    });
    expect(node).toMatchObject({ id: `https://${R}@registry.example/img`, properties: { uri: `https://${R}@registry.example/img` } });
  });

  it('a value hidden by its name is hidden where it reappears in the same record without it', () => {
    const node = egress({
      type: 'node',
      label: 'AWSSageMakerTrainingJob',
      id: 'arn:aws:sagemaker:us-east-1:1:training-job/a',
      properties: {
        hyperParameters: { hf_token: 'tok-7Qx91' },
        failureReason: 'AlgorithmError: invalid credentials tok-7Qx91 for model hub',
      },
    });
    expect(JSON.stringify(node)).not.toContain('tok-7Qx91');
    expect(node.properties.failureReason).toBe(`AlgorithmError: invalid credentials ${R} for model hub`);
  });

  it("a resource's records go through together: a hidden value is hidden in its image id and edges' URIs too", () => {
    const d = RESOURCES.find((r) => r.type === 'training-job')!;
    const f = loadFixture('training-job');
    f.HyperParameters = { hub_token: 'tagsecret77' };
    f.AlgorithmSpecification.TrainingImage = '123456789012.dkr.ecr.us-east-1.amazonaws.com/train:tagsecret77';
    f.InputDataConfig[0].DataSource.S3DataSource.S3Uri = 's3://bucket/tagsecret77/train';
    const out = d.transform(f, { account: '111122223333', region: 'us-east-1' });
    const records = egressAll([out.node!, ...out.refs, ...out.edges]);
    expect(JSON.stringify(records)).not.toContain('tagsecret77');
    const image = records.find((r): r is NodeRecord => r.type === 'node' && r.label === 'ECRImage')!;
    const uses = records.find((r) => r.type === 'edge' && r.label === 'USES_IMAGE')!;
    expect(image.id).toBe(`123456789012.dkr.ecr.us-east-1.amazonaws.com/train:${R}`);
    expect(uses.type === 'edge' && uses.to.id).toBe(image.id);
  });

  it('only the benchmark replaces the pass: no source file but the engine mentions egressPass', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts') && readFileSync(p, 'utf8').includes('egressPass')) files.push(p);
      }
    };
    walk(new URL('../../src', import.meta.url).pathname);
    expect(files.map((f) => f.replace(/^.*\/src\//, 'src/'))).toEqual(['src/crawl/engine.ts']);
  });

  it('toProperties converts only; the pass redacts', () => {
    const p = toProperties({
      Environment: { K: 'v' },
      HyperParameters: { Api_Key: 'k' },
      CreationTime: new Date('2024-01-02T03:04:05Z'),
      $metadata: {},
      Blob: new Uint8Array([1]),
      Tags: [{ Key: 'token', Value: 't' }],
    });
    expect(p).toEqual({
      environment: { K: 'v' },
      hyperParameters: { Api_Key: 'k' },
      creationTime: '2024-01-02T03:04:05.000Z',
      blob: null,
      tags: { token: 't' },
    });
    expect(redactValue(p)).toEqual({
      environment: { K: R },
      hyperParameters: { Api_Key: R },
      creationTime: '2024-01-02T03:04:05.000Z',
      blob: null,
      tags: { token: R },
    });
  });
});
