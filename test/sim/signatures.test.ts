/**
 * The simulator as an account that accepts only its own keys: real SDK clients signing with the
 * right key get through, a wrong secret or an unknown key is refused with AWS's error codes, keys
 * issued by its AssumeRole are accepted, and rotating the accepted keys takes effect at once.
 */
import { ListModelsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';

const GOOD = { accessKeyId: 'AKIDSIGNEDGOOD000001', secretAccessKey: 'sig-test-secret-good-0001' };
const NEXT = { accessKeyId: 'AKIDSIGNEDNEXT000002', secretAccessKey: 'sig-test-secret-next-0002' };

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const sagemaker = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
  new SageMakerClient({ region: 'us-east-1', endpoint: sim!.url, credentials, maxAttempts: 1 });
const sts = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
  new STSClient({ region: 'us-east-1', endpoint: sim!.url, credentials, maxAttempts: 1 });

describe('simulator signature checks', () => {
  it('accepts requests signed with a configured key, and refuses a wrong secret or an unknown key as AWS does', async () => {
    sim = await startSimulator({ credentials: [GOOD] });
    expect((await sagemaker(GOOD).send(new ListModelsCommand({ MaxResults: 1 }))).Models).toHaveLength(1);
    expect((await sts(GOOD).send(new GetCallerIdentityCommand({}))).Account).toBe(sim.accountId);

    await expect(sagemaker({ ...GOOD, secretAccessKey: 'wrong' }).send(new ListModelsCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    await expect(sts({ ...GOOD, secretAccessKey: 'wrong' }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
    });
    await expect(sagemaker(NEXT).send(new ListModelsCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    await expect(sts(NEXT).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    expect(sim.operations.filter((o) => o.status === 200).every((o) => o.accessKeyId === GOOD.accessKeyId)).toBe(true);
  });

  it('accepts the temporary keys its AssumeRole issued, and rotation of the accepted keys takes effect at once', async () => {
    sim = await startSimulator({ credentials: [GOOD] });
    const out = await sts(GOOD).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${sim.accountId}:role/sdr-reader`, RoleSessionName: 'sig-test' }),
    );
    const c = out.Credentials!;
    const assumed = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    expect((await sts(assumed).send(new GetCallerIdentityCommand({}))).Arn).toMatch(/assumed-role\/sdr-reader\/sig-test$/);

    sim.setCredentials([NEXT]);
    await expect(sagemaker(GOOD).send(new ListModelsCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    expect((await sagemaker(NEXT).send(new ListModelsCommand({ MaxResults: 1 }))).Models).toHaveLength(1);
    sim.setCredentials(undefined);
    expect(
      (await sagemaker({ accessKeyId: 'AKIDANY', secretAccessKey: 'any' }).send(new ListModelsCommand({ MaxResults: 1 }))).Models,
    ).toHaveLength(1);
  });
});
