// The bench's peers are small child processes; each says `ready` with its
// port over IPC and answers a few commands.
export interface PeerReady {
  type: 'ready';
  port: number;
}

/** Sends a message to the parent and resolves once it is handed over. */
export function tell(message: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, () => resolve());
  });
}

/** A peer exits with its parent: no orphan servers if the bench dies. */
export function exitWithParent(cleanup: () => Promise<void> | void = () => undefined): void {
  const bye = () => {
    void Promise.resolve(cleanup()).finally(() => process.exit(0));
  };
  process.on('disconnect', bye);
  process.on('SIGTERM', bye);
}
