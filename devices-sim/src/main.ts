// Entry of `npm run sim` (CONTRACT §5).
import { helpText, parseOptions, UsageError } from './cli/options';
import { runSimulation } from './cli/run';
import { CredentialsFileError } from './provisioning/credentials';
import { ApiError } from './provisioning/api-client';
import { exitCodeFor } from './report/report';
import { Progress } from './report/progress';

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`sim: ${error.message}\nRun with --help for the options and scenarios.\n`);
    return 2;
  }
  if (options === null) {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  // First Ctrl-C: finish early with a report; second: leave at once.
  let interrupts = 0;
  const interrupted = new Promise<void>((resolve) => {
    process.on('SIGINT', () => {
      interrupts += 1;
      if (interrupts > 1) process.exit(130);
      resolve();
    });
  });
  try {
    const report = await runSimulation(options, {
      progress: new Progress(),
      out: (text) => process.stdout.write(`${text}\n`),
      interrupted,
    });
    return exitCodeFor(report);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`sim: ${error.message}\n`);
      return 2;
    }
    // Expected failures get one line; anything else keeps its stack for a bug report.
    const known = error instanceof ApiError || error instanceof CredentialsFileError;
    const err = error instanceof Error ? error : new Error(String(error));
    process.stderr.write(`sim: ${known ? err.message : (err.stack ?? err.message)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  // Sockets and timers may linger (a reconnecting console): the verdict is final, leave now.
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`sim: ${String(error)}\n`);
    process.exit(1);
  },
);
