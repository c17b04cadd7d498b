/**
 * One deadline over a whole store call (credentials, retries, backoff), and the caller's abort
 * signal: whichever comes first aborts the SDK call and settles the result at once.
 */

/** The call was given up: its deadline passed, or the caller aborted it. */
export class CallAborted extends Error {
  constructor(readonly reason: 'timeout' | 'cancelled') {
    super(reason === 'timeout' ? 'deadline passed' : 'cancelled by the caller');
    this.name = 'CallAborted';
  }
}

/** Run `call` with a signal that aborts after `timeoutMs` or when `outer` aborts; rejects with {@link CallAborted} then. */
export async function withDeadline<T>(
  timeoutMs: number,
  outer: AbortSignal | undefined,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (outer?.aborted) throw new CallAborted('cancelled');
  const controller = new AbortController();
  let stop!: (reason: CallAborted['reason']) => void;
  // The SDK's backoff sleeps ignore the signal; racing this promise keeps the deadline exact.
  const stopped = new Promise<never>((_, reject) => {
    stop = (reason) => {
      controller.abort();
      reject(new CallAborted(reason));
    };
  });
  const timer = setTimeout(() => stop('timeout'), timeoutMs);
  const onAbort = () => stop('cancelled');
  outer?.addEventListener('abort', onAbort, { once: true });
  const running = call(controller.signal);
  running.catch(() => {}); // settled after the deadline won: nobody is waiting for it
  try {
    return await Promise.race([running, stopped]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
  }
}
