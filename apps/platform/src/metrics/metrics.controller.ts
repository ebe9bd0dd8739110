import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Header, Inject, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../auth/roles.decorator';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AppError } from '../errors/app.errors';
import { PlatformMetrics } from './metrics';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: PlatformMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Prometheus text format; no personal data in it, but load and fleet size
   * are nobody else's business: with ANXIN_METRICS_TOKEN set a scraper sends
   * it as a bearer token, without it only this machine may scrape.
   */
  @Get()
  @Public()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  scrape(@Req() request: Request): Promise<string> {
    const token = this.config.http.metricsToken;
    if (token === null) {
      // The socket's own peer, not X-Forwarded-For: a proxy on this machine must not open it to the world.
      if (!LOOPBACK.test(request.socket.remoteAddress ?? '')) {
        throw new AppError('forbidden', 'metrics: only loopback clients, unless ANXIN_METRICS_TOKEN is set');
      }
    } else if (!sameSecret(/^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '', token)) {
      throw new AppError('unauthenticated', 'metrics: bearer token required');
    }
    return this.metrics.registry.metrics();
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
