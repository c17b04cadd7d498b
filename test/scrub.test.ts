import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { encodeMessage } from '../src/protocol/codec.js';
import { ECHO_REMOVED, forgetSecrets, rememberEnvSecrets, rememberSecret, scrubLine, scrubStderr, scrubText } from '../src/scrub.js';
import { signatureMismatchMessage } from '../src/sim/sigv4.js';

const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLEsessionTOKEN/with+slash==';

/** A signed request as the SDK sends one, with a session token among its signed headers. */
function signedRequest() {
  return {
    method: 'POST',
    url: '/',
    body: '{}',
    headers: {
      host: 'api.sagemaker.us-east-1.amazonaws.com',
      'x-amz-date': '20260101T000000Z',
      'x-amz-security-token': SESSION_TOKEN,
      'x-amz-target': 'SageMaker.ListModels',
      authorization: `AWS4-HMAC-SHA256 Credential=ASIAQEXAMPLEKEYID123/20260101/us-east-1/sagemaker/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token;x-amz-target, Signature=${'ab'.repeat(32)}`,
    },
  };
}

afterEach(() => forgetSecrets());

/** A stream that keeps every chunk written to it. */
function collector(): { stream: Writable; chunks: string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _e, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, chunks };
}

describe('the outgoing-text scrubber', () => {
  it("cuts AWS's echo of the canonical request and string to sign, keeping the explanation", () => {
    const message = signatureMismatchMessage(signedRequest());
    expect(message).toContain(SESSION_TOKEN); // what AWS (and the simulator) really send
    const scrubbed = scrubText(`sagemaker:ListModels InvalidSignatureException: ${message}`);
    expect(scrubbed).not.toContain(SESSION_TOKEN);
    expect(scrubbed).not.toContain('x-amz-security-token:IQ');
    expect(scrubbed).toContain('The request signature we calculated does not match');
    expect(scrubbed).toContain(ECHO_REMOVED);
  });

  it('cuts signed header lines and Credential=/Signature= wherever they appear', () => {
    const s = scrubText(
      `x-amz-security-token:${SESSION_TOKEN}\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/sts/aws4_request, Signature=${'cd'.repeat(32)}`,
    );
    expect(s).not.toContain(SESSION_TOKEN);
    expect(s).not.toContain('AKIDEXAMPLE');
    expect(s).not.toContain('cdcdcdcd');
  });

  it('replaces every remembered credential, as written, JSON-escaped and URL-encoded; short values are left to the rules', () => {
    rememberSecret('vault-tok-"quoted"\\x');
    rememberSecret('p@ss/word:1');
    rememberSecret('abc');
    expect(scrubText('token vault-tok-"quoted"\\x here')).toBe('token [REDACTED] here');
    expect(scrubText(JSON.stringify({ m: 'vault-tok-"quoted"\\x' }))).toBe('{"m":"[REDACTED]"}');
    expect(scrubText(`proxy http://u:${encodeURIComponent('p@ss/word:1')}@proxy.example:3128`)).not.toContain(
      encodeURIComponent('p@ss/word:1'),
    );
    expect(scrubText('abc stays')).toBe('abc stays');
  });

  it('forgets the least recently seen value first: credentials still in use stay', () => {
    rememberSecret('in-use-token-0001');
    for (let i = 0; i < 999; i++) rememberSecret(`rotated-value-${i}`);
    rememberSecret('in-use-token-0001'); // used again, e.g. at the next request
    rememberSecret('one-more-value-x');
    expect(scrubText('in-use-token-0001 rotated-value-0')).toBe('[REDACTED] rotated-value-0');
  });

  it('remembers the values of secret-named environment variables and AWS_ACCESS_KEY_ID', () => {
    rememberEnvSecrets({
      AWS_ACCESS_KEY_ID: 'AKIDENVEXAMPLE1',
      AWS_SECRET_ACCESS_KEY: 'env-secret-key-value',
      VAULT_TOKEN: 'hvs.envtoken123',
      AWS_REGION: 'us-east-1',
      HOME: '/home/agent',
      GOOGLE_APPLICATION_CREDENTIALS: process.execPath,
      SDR_AGENT_TOKEN_FILE: '/run/secrets/agent-token',
    });
    expect(
      scrubText(`AKIDENVEXAMPLE1 env-secret-key-value hvs.envtoken123 us-east-1 /home/agent ${process.execPath} /run/secrets/agent-token`),
    ).toBe(`[REDACTED] [REDACTED] [REDACTED] us-east-1 /home/agent ${process.execPath} /run/secrets/agent-token`);
  });

  it('applies the egress text rules too', () => {
    expect(scrubText('connect to postgresql://ml:hunter22@db.internal/prod failed')).toBe(
      'connect to postgresql://[REDACTED]@db.internal/prod failed',
    );
  });

  it('keeps a JSON log line valid JSON', () => {
    rememberSecret('line-secret-123');
    const out = scrubLine(
      `${JSON.stringify({ level: 'warn', msg: `failed: ${signatureMismatchMessage(signedRequest())} line-secret-123` })}\n`,
    );
    expect(out.endsWith('\n')).toBe(true);
    const parsed = JSON.parse(out) as { msg: string };
    expect(parsed.msg).not.toContain(SESSION_TOKEN);
    expect(parsed.msg).not.toContain('line-secret-123');
  });
});

describe('where the scrubber sits', () => {
  it('the root logger: message and fields of every line, read from the real output stream', () => {
    rememberSecret('logged-secret-9876');
    const { stream: destination, chunks: lines } = collector();
    const log = createLogger({ level: 'info', destination });
    log.warn(
      { detail: { nested: 'x logged-secret-9876 y' }, url: 'https://u:pw12345@h.example/x' },
      `scope failed: ${signatureMismatchMessage(signedRequest())}`,
    );
    log.flush?.();
    const text = lines.join('');
    expect(text).toContain('scope failed');
    for (const s of ['logged-secret-9876', SESSION_TOKEN, 'pw12345']) expect(text).not.toContain(s);
    expect(() => JSON.parse(lines[0]!)).not.toThrow();
  });

  it("every string of a message the agent sends, but its type and the control plane's job id", () => {
    rememberSecret('frame-secret-4567');
    const frame = encodeMessage({
      type: 'crawl.done',
      jobId: 'job-frame-secret-4567',
      status: 'failed',
      account: '111122223333',
      lastSeq: 0,
      scopes: [],
      counts: { nodes: 0, edges: 0 },
      calls: {},
      error: {
        code: 'SDR_ERR_AWS',
        message: `sts:GetCallerIdentity failed: frame-secret-4567 ${signatureMismatchMessage(signedRequest())}`,
      },
    } as never);
    expect(frame).not.toContain(SESSION_TOKEN);
    expect(frame).not.toMatch(/failed: frame-secret-4567/);
    expect(JSON.parse(frame).jobId).toBe('job-frame-secret-4567');
  });

  it("a batch's data is sent byte for byte: base64 gzip is not text, and a random run of it can look like a key", () => {
    rememberSecret('batch-secret-777');
    // A base64 payload holding runs shaped like a Google API key and an AWS key id.
    const data = `H4sIAAAAAAAAA${'AIza' + 'B'.repeat(35)}+AKIA${'C'.repeat(16)}/abc=`;
    const frame = encodeMessage({ type: 'batch', jobId: 'job-1', seq: 1, records: 1, encoding: 'gzip+ndjson', data } as never);
    expect(JSON.parse(frame).data).toBe(data);
  });

  it('stderr: a stream wrapped once passes every write through the scrubber', () => {
    rememberSecret('stderr-secret-321');
    const { stream, chunks: written } = collector();
    scrubStderr(stream as unknown as NodeJS.WriteStream);
    stream.write('✗ us-east-1 training-job: stderr-secret-321\n');
    stream.write(Buffer.from('x-amz-security-token: abcdefghijkl\n'));
    expect(written.join('')).toBe('✗ us-east-1 training-job: [REDACTED]\nx-amz-security-token: [REDACTED]\n');
  });
});

describe('what feeds the scrubber', () => {
  it('every request through the network layer: bearer tokens and Vault tokens in its headers, each request', async () => {
    const { createServer } = await import('node:http');
    const { createNetwork } = await import('../src/net/index.js');
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const network = createNetwork({ proxy: {} });
    try {
      const { request } = await import('node:http');
      const send = (headers: Record<string, string>) =>
        new Promise<void>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path: '/', agent: network.httpAgent, headers }, (res) =>
            res.resume().on('end', resolve),
          );
          req.on('error', reject).end();
        });
      await send({ authorization: 'Bearer store-bearer-token-111' });
      await send({ 'x-vault-token': 'hvs.vault-token-222' });
      expect(scrubText('store-bearer-token-111 hvs.vault-token-222')).toBe('[REDACTED] [REDACTED]');
    } finally {
      network.destroy();
      server.close();
    }
  });
});
