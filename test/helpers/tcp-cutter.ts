/**
 * A TCP forwarder between the agent and the control plane whose connections a test can cut at will
 * — the network failing under a running tunnel — or hold, so that every request through it hangs.
 * Bytes pass through untouched.
 */
import { createServer, connect, type Socket } from 'node:net';

export interface Cutter {
  port: number;
  /** Destroy every open connection (both sides see a reset). */
  cut(): number;
  /** Stop forwarding: open and future connections stay up but carry nothing (a black hole). */
  hold(): void;
  /** Connections made so far. */
  connections: number;
  close(): Promise<void>;
}

export async function startCutter(targetPort: () => number): Promise<Cutter> {
  const open = new Set<Socket>();
  let connections = 0;
  let held = false;
  const pipes = new Set<() => void>();
  const server = createServer((client) => {
    connections++;
    const upstream = connect(targetPort(), '127.0.0.1');
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    if (held) return;
    client.pipe(upstream);
    upstream.pipe(client);
    pipes.add(() => {
      client.unpipe(upstream);
      upstream.unpipe(client);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    get connections() {
      return connections;
    },
    cut() {
      const n = open.size / 2;
      for (const s of open) s.destroy();
      open.clear();
      return n;
    },
    hold() {
      held = true;
      for (const stop of pipes) stop();
      pipes.clear();
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
