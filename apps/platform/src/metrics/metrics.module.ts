import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { PlatformMetrics } from './metrics';

@Global()
@Module({ controllers: [MetricsController], providers: [PlatformMetrics], exports: [PlatformMetrics] })
export class MetricsModule {}
