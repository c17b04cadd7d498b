/** The simulator's sts:AssumeRole on the wire (awsQuery), as the credentials tests rely on it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/sim/index.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

function sts(body: string, accessKeyId = 'AKIDRAW'): Promise<Response> {
  return fetch(sim.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20250101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00`,
    },
    body,
  });
}

describe('simulated sts:AssumeRole', () => {
  it('answers with the real response shape and temporary keys GetCallerIdentity recognises', async () => {
    const res = await sts(
      'Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fteam%2Freader&RoleSessionName=s1&DurationSeconds=1200',
    );
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toMatch(
      /^<AssumeRoleResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\s*<AssumeRoleResult>\s*<AssumedRoleUser>\s*<AssumedRoleId>AROA[A-Z2-7]{17}:s1<\/AssumedRoleId>\s*<Arn>arn:aws:sts::111122223333:assumed-role\/reader\/s1<\/Arn>\s*<\/AssumedRoleUser>\s*<Credentials>\s*<AccessKeyId>(ASIA[A-Z0-9]{16})<\/AccessKeyId>\s*<SecretAccessKey>\w{40}<\/SecretAccessKey>\s*<SessionToken>\w+<\/SessionToken>\s*<Expiration>(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)<\/Expiration>/,
    );
    const key = /<AccessKeyId>(\w+)</.exec(xml)![1];
    const expiration = Date.parse(/<Expiration>([^<]+)</.exec(xml)![1]);
    expect(expiration - Date.now()).toBeGreaterThan(1190_000);
    expect(expiration - Date.now()).toBeLessThanOrEqual(1200_000);
    const who = await (await sts('Action=GetCallerIdentity&Version=2011-06-15', key)).text();
    expect(who).toContain('<Arn>arn:aws:sts::111122223333:assumed-role/reader/s1</Arn>');
    expect(who).toContain('<Account>111122223333</Account>');
    const user = await (await sts('Action=GetCallerIdentity&Version=2011-06-15')).text();
    expect(user).toContain(`<Arn>arn:aws:iam::${sim.accountId}:user/sim</Arn>`);
  });

  it('validates its parameters like STS', async () => {
    for (const [body, member] of [
      ['Action=AssumeRole&RoleSessionName=s1', 'roleArn'],
      ['Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr', 'roleSessionName'],
      ['Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=s1&DurationSeconds=60', 'durationSeconds'],
    ]) {
      const res = await sts(body);
      expect(res.status).toBe(400);
      const xml = await res.text();
      expect(xml).toContain('<Code>ValidationError</Code>');
      expect(xml).toContain(`&apos;${member}&apos;`);
    }
  });
});
