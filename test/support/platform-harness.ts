import 'reflect-metadata';
import pino from 'pino';
import { loadConfig } from '../../apps/platform/src/config/config';
import { type RunningPlatform, startPlatform } from '../../apps/platform/src/platform';
import { ApiClient } from './api-client';
import { createTestDatabase, type TestDatabase } from './test-database';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface TestPlatform {
  platform: RunningPlatform;
  mqttPort: number;
  database: TestDatabase;
  api: ApiClient;
  admin: ApiClient;
  stop(): Promise<void>;
}

/** The platform in this process on an existing database (a restart, or a second process), on free ports. */
export function startPlatformOn(
  databaseUrl: string,
  env: Record<string, string> = {},
  log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
): Promise<RunningPlatform> {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    MQTT_PORT: '0',
    MQTT_HOST: '127.0.0.1',
    ANXIN_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'silent',
    ...env,
  });
  return startPlatform(config, log);
}

/**
 * The platform in this process on its own fresh database of the machine's
 * PostgreSQL server (server mode), on free ports.
 */
export async function startTestPlatform(
  env: Record<string, string> = {},
  log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
): Promise<TestPlatform> {
  const database = await createTestDatabase();
  const platform = await startPlatformOn(database.url, env, log);
  const api = new ApiClient(`http://127.0.0.1:${platform.httpPort}`);
  const admin = await api.login('admin', ADMIN_PASSWORD);
  return {
    platform,
    mqttPort: platform.mqttPort,
    database,
    api,
    admin,
    stop: async () => {
      await platform.stop();
      await database.drop();
    },
  };
}

let counter = 0;
/** Unique names so tests never collide on shared data. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}
