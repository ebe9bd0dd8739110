import { MAX_SPREADSHEET_BYTES, SPREADSHEET_TYPES } from './http/file-upload';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config/config';
import { acquireDataDirLock } from './database/data-dir-lock';
import { createDataSource, migrate } from './database/data-source';
import { openDatabaseLanes } from './database/database-lanes';
import { startEmbeddedPostgres } from './database/embedded-postgres';
import { DeploymentRefused, guardDeployment } from './database/deployment-guard';
import { NestPinoLogger, withoutLoggedValues } from './logging/logger';
import { DeviceAuthService } from './mqtt/device-auth.service';
import { MqttBrokerService, PortInUseError } from './mqtt/mqtt-broker.service';
import { UsersService } from './users/users.service';
import { RealtimeService } from './realtime/realtime.service';
import { mountWebApps } from './web/web-static';
import { securityHeaders } from './http/security-headers';
import { JobsService } from './jobs/jobs.service';
import { requireRedisReachable } from './redis/redis-startup.util';

export class StartupError extends Error {}

const STOP_STEP_TIMEOUT_MS = 5_000;
const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

export interface RunningPlatform {
  httpPort: number;
  mqttPort: number;
  databaseUrl: string;
  app: NestExpressApplication;
  stop(): Promise<void>;
  /**
   * Settles once the platform has stopped by itself because a process it may not run beside took
   * the database while its connection was lost (deployment-guard.ts), with the reason.
   */
  displaced: Promise<string>;
}

function listenOrExplain(server: Server, port: number, host: string, variable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new StartupError(`${variable}: port ${port} is already in use; free it or set ${variable} to another port`)
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * Starts everything `npm start` runs (CONTRACT §1) and returns how to stop it.
 * Order on stop is the reverse: stop taking input, drain, then close storage.
 */
export async function startPlatform(config: AppConfig, rootLog: Logger): Promise<RunningPlatform> {
  const log = withoutLoggedValues(rootLog);
  const cleanups: [string, () => Promise<void> | void][] = [];
  const stopAll = async () => {
    for (const [name, cleanup] of cleanups.reverse()) {
      try {
        log.debug({ step: name }, 'stopping');
        // CONTRACT §1: SIGTERM exits within 10 s. A step stuck on a dead dependency is abandoned, not waited on.
        const outcome = await Promise.race([
          Promise.resolve(cleanup()).then(() => 'done' as const),
          sleep(STOP_STEP_TIMEOUT_MS).then(() => 'stuck' as const),
        ]);
        if (outcome === 'stuck')
          log.error({ step: name }, `stopping did not finish in ${STOP_STEP_TIMEOUT_MS} ms; going on`);
      } catch (error) {
        log.error({ err: error }, 'error while stopping');
      }
    }
    cleanups.length = 0;
  };
  let settleDisplaced: (reason: string) => void = () => undefined;
  const displaced = new Promise<string>((resolve) => (settleDisplaced = resolve));
  try {
    if (config.redis.url) {
      try {
        await requireRedisReachable(config.redis.url);
      } catch (error) {
        throw new StartupError((error as Error).message);
      }
    }
    let databaseUrl = config.database.url;
    if (!databaseUrl) {
      fs.mkdirSync(config.database.dataDir, { recursive: true });
      try {
        cleanups.push(['data-dir lock', acquireDataDirLock(config.database.dataDir)]);
      } catch (error) {
        throw new StartupError((error as Error).message);
      }
      const embedded = await startEmbeddedPostgres(config.database.dataDir, log);
      cleanups.push(['embedded PostgreSQL', () => embedded.stop()]);
      databaseUrl = embedded.url;
    }
    try {
      const stopDisplaced = (reason: string) => void stopAll().then(() => settleDisplaced(reason));
      cleanups.push([
        'deployment guard',
        await guardDeployment(databaseUrl, config.redis.url !== null, log, stopDisplaced),
      ]);
    } catch (error) {
      if (error instanceof DeploymentRefused) throw new StartupError(error.message);
      throw error;
    }
    const db = createDataSource(databaseUrl);
    await db.initialize();
    cleanups.push(['database pool', () => db.destroy()]);
    const applied = await migrate(db);
    if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
    const lanes = await openDatabaseLanes(databaseUrl);
    cleanups.push(['database lanes', () => lanes.close()]);

    const app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRuntime({ config, db, lanes, log, databaseUrl }),
      {
        logger: new NestPinoLogger(log),
        abortOnError: false,
      },
    );
    app.disable('x-powered-by');
    app.use(securityHeaders);
    // Issue 12 item 8: the client address (login throttling, audit) comes from X-Forwarded-For only via these.
    app.set('trust proxy', config.http.trustedProxies.length > 0 ? config.http.trustedProxies : false);
    app.setGlobalPrefix('api/v1', { exclude: ['metrics'] });
    // Spreadsheet uploads (the residents import) arrive as a Buffer; every other body is JSON.
    app.useBodyParser('raw', { type: SPREADSHEET_TYPES, limit: MAX_SPREADSHEET_BYTES });
    const openApi = new DocumentBuilder().setTitle('Anxin platform API').setVersion('1').addBearerAuth().build();
    SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi));
    // Before init, so the web apps' handlers run ahead of Nest's 404 (dist/apps/platform → dist/apps/web).
    mountWebApps(app, path.resolve(__dirname, '../web'));
    await app.init();
    cleanups.push(['application', () => app.close()]);

    await bootstrapAdmin(app, config, log);

    await app.get(DeviceAuthService).listenForChanges(databaseUrl);
    const broker = app.get(MqttBrokerService);
    const httpServer = app.getHttpServer();
    let mqttPort: number;
    try {
      mqttPort = await broker.start(httpServer);
    } catch (error) {
      if (error instanceof PortInUseError) throw new StartupError(error.message);
      throw error;
    }
    await app.get(RealtimeService).attach(httpServer);
    // Runs before app.close() (cleanups run in reverse): no new device input while ingest drains.
    cleanups.push(['MQTT broker', () => broker.onApplicationShutdown()]);
    const httpPort = await listenOrExplain(httpServer, config.http.port, config.http.host, 'HTTP_PORT');
    await app.get(JobsService).start();
    cleanups.push([
      'HTTP server',
      () => {
        httpServer.closeAllConnections();
      },
    ]);
    return { httpPort, mqttPort, databaseUrl, app, stop: stopAll, displaced };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function bootstrapAdmin(app: NestExpressApplication, config: AppConfig, log: Logger): Promise<void> {
  const password = config.auth.adminPassword ?? randomBytes(12).toString('base64url');
  const created = await app.get(UsersService).bootstrapAdmin(password);
  if (!created) return;
  if (config.auth.adminPassword) {
    log.info('created user "admin" with the password from ANXIN_ADMIN_PASSWORD');
  } else {
    // CONTRACT §1: printed once; it is never stored in clear.
    log.warn(
      { username: 'admin', password },
      `created user "admin" with generated password ${password} (shown only once)`,
    );
  }
}
