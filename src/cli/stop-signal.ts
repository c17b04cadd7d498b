/**
 * Waiting for Ctrl-C in the foreground commands (`demo`, `control-plane`): resolves on the first
 * SIGINT or SIGTERM (or when `abort` fires). Later signals are swallowed until `release()`, so the
 * same Ctrl-C delivered twice (by the terminal and again by a wrapper) cannot kill the process halfway
 * through its cleanup.
 */
export async function untilStopSignal(abort?: AbortSignal): Promise<{ release(): void }> {
  const swallow = () => {};
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      abort?.removeEventListener('abort', stop);
      process.on('SIGINT', swallow);
      process.on('SIGTERM', swallow);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (abort?.aborted) stop();
    else abort?.addEventListener('abort', stop);
  });
  return {
    release() {
      process.off('SIGINT', swallow);
      process.off('SIGTERM', swallow);
    },
  };
}
