import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/roles.decorator';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RedisService } from '../redis/redis.service';

type DependencyStatus = 'ok' | 'down';
const DATABASE_CHECK_TIMEOUT_MS = 2_000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly db: DataSource,
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * CONTRACT §3: 200 only while every dependency answers; otherwise 503 naming
   * the missing one (§1 v1.1), e.g. `{status: "degraded", database: "ok", redis: "down"}`.
   * `redis` is present only when REDIS_URL is set.
   */
  @Get()
  @Public()
  async check(@Res({ passthrough: true }) res: Response) {
    const [database, redis] = await Promise.all([this.databaseStatus(), this.redis.status()]);
    const dependencies = { database, ...(redis !== null && { redis }) };
    const down = Object.entries(dependencies).filter(([, status]) => status === 'down');
    const body = {
      status: down.length === 0 ? ('ok' as const) : ('degraded' as const),
      ...dependencies,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      // The web apps show times in the platform's configured zone (CONTRACT §1 ANXIN_TIMEZONE).
      timezone: this.config.time.timezone,
    };
    if (down.length === 0) return body;
    res.status(503);
    // Also in the API's error shape, for clients that read only that.
    const missing = down.map(([name]) => name).join(', ');
    return { statusCode: 503, error: 'Service Unavailable', message: `unavailable: ${missing}`, ...body };
  }

  private async databaseStatus(): Promise<DependencyStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<DependencyStatus>((resolve) => {
      timer = setTimeout(() => resolve('down'), DATABASE_CHECK_TIMEOUT_MS);
    });
    const query = this.db.query('SELECT 1').then(
      (): DependencyStatus => 'ok',
      (): DependencyStatus => 'down',
    );
    try {
      return await Promise.race([query, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
