import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/config';
import { createLogger } from './logging/logger';
import { StartupError, startPlatform } from './platform';

const SHUTDOWN_DEADLINE_MS = 9_500;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`anxin: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.log.level);
  let platform;
  try {
    platform = await startPlatform(config, log);
  } catch (error) {
    const message = error instanceof StartupError ? error.message : `start-up failed: ${(error as Error).message}`;
    log.fatal({ err: error }, message);
    process.stderr.write(`anxin: ${message}\n`);
    process.exit(1);
  }
  log.info(
    { httpPort: platform.httpPort, mqttPort: platform.mqttPort, timezone: config.time.timezone },
    `Anxin ready: HTTP on port ${platform.httpPort} (API /api/v1, docs /api/docs), MQTT on port ${platform.mqttPort}`,
  );

  // No input may stop the platform (CONTRACT §2): a stray rejection is logged, never fatal.
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining and shutting down');
    const deadline = setTimeout(() => {
      log.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    platform
      .stop()
      .then(() => {
        log.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      });
  };
  // Another process took the database while ours was cut off (deployment-guard.ts): stopped, exit 1.
  void platform.displaced.then(() => process.exit(1));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
