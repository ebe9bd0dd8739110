import { Controller, Get, HttpException, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../auth/roles.decorator';
import { APP_CONFIG, type AppConfig } from '../config/config';

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** CONTRACT §3: 200 only while the database answers. */
  @Get()
  @Public()
  async check(): Promise<{ status: 'ok'; database: 'ok'; uptimeSeconds: number; timezone: string }> {
    try {
      await this.db.query('SELECT 1');
    } catch {
      throw new HttpException('database unavailable', 503);
    }
    // The web apps show times in the platform's configured zone (CONTRACT §1 ANXIN_TIMEZONE).
    return {
      status: 'ok',
      database: 'ok',
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      timezone: this.config.time.timezone,
    };
  }
}
