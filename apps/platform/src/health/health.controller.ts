import { MqttBrokerService } from '../mqtt/mqtt-broker.service';
import { Controller, Get, Inject, type OnApplicationShutdown, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DATABASE_URL } from '../database/database-url';
import { RedisService } from '../redis/redis.service';
import { DatabaseProbe } from './database-probe';

/** With Redis' probe (also 800 ms) run beside it, /health answers within 1 s however loaded the platform is. */
const DATABASE_CHECK_TIMEOUT_MS = 800;

@ApiTags('health')
@Controller('health')
export class HealthController implements OnApplicationShutdown {
  private readonly startedAt = Date.now();
  private readonly database: DatabaseProbe;

  constructor(
    @Inject(DATABASE_URL) databaseUrl: string,
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly broker: MqttBrokerService,
  ) {
    this.database = new DatabaseProbe(databaseUrl, DATABASE_CHECK_TIMEOUT_MS);
  }

  /**
   * CONTRACT §3: 200 only while every dependency answers; otherwise 503 naming
   * the missing one (§1 v1.1), e.g. `{status: "degraded", database: "ok", redis: "down"}`.
   * `redis` is present only when REDIS_URL is set.
   */
  @Get()
  @Public()
  async check(@Res({ passthrough: true }) res: Response) {
    const [database, redis] = await Promise.all([this.database.status(), this.redis.status()]);
    const dependencies = { database, ...(redis !== null && { redis }) };
    const down = Object.entries(dependencies).filter(([, status]) => status === 'down');
    const body = {
      status: down.length === 0 ? ('ok' as const) : ('degraded' as const),
      ...dependencies,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      // The web apps show times in the platform's configured zone (CONTRACT §1 ANXIN_TIMEZONE).
      timezone: this.config.time.timezone,
      // The provisioning snippet shows devices where to connect (issue 16: it always said 1883).
      mqttPort: this.broker.listeningPort,
    };
    if (down.length === 0) return body;
    res.status(503);
    // Also in the API's error shape, for clients that read only that.
    const missing = down.map(([name]) => name).join(', ');
    return { statusCode: 503, error: 'Service Unavailable', message: `unavailable: ${missing}`, ...body };
  }

  onApplicationShutdown(): Promise<void> {
    return this.database.close();
  }
}
