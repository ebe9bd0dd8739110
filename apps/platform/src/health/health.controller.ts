import { Controller, Get, HttpException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../auth/roles.decorator';

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(private readonly db: DataSource) {}

  /** CONTRACT §3: 200 only while the database answers. */
  @Get()
  @Public()
  async check(): Promise<{ status: 'ok'; database: 'ok'; uptimeSeconds: number }> {
    try {
      await this.db.query('SELECT 1');
    } catch {
      throw new HttpException('database unavailable', 503);
    }
    return { status: 'ok', database: 'ok', uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000) };
  }
}
