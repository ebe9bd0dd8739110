import { killAllProcessesNow } from './children';
import type { BenchDatabase } from './postgres';

/**
 * Runs a bench entry point. Ctrl-C or SIGTERM: every child by pid, then the
 * bench database, then exit; a failure kills the children and sets exit code 1.
 */
export function runBenchMain(label: string, main: () => Promise<void>, database: () => BenchDatabase | null): void {
  const interrupted = (code: number): void => {
    killAllProcessesNow();
    const exit = () => process.exit(code);
    setTimeout(exit, 5_000).unref();
    void (database()?.drop() ?? Promise.resolve()).catch(() => undefined).finally(exit);
  };
  process.on('SIGINT', () => interrupted(130));
  process.on('SIGTERM', () => interrupted(143));
  main().catch((error: unknown) => {
    process.stderr.write(`${label} failed: ${(error as Error).stack ?? String(error)}\n`);
    killAllProcessesNow();
    process.exitCode = 1;
  });
}
