import { afterEach, describe, expect, it } from 'vitest';
import { startControlPlane, type CpHarness } from '../helpers/control-plane.js';

let cp: CpHarness | undefined;
afterEach(async () => {
  await cp?.close();
  cp = undefined;
});

describe('reference control plane: /healthz', () => {
  it('answers 200 without a token, over a real socket, while the API behind it still wants one', async () => {
    cp = await startControlPlane();
    const res = await fetch(`${cp.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect((await cp.api('GET', '/api/v1/agents', undefined, '')).status).toBe(401);
  });
});
