import { Global, Module } from '@nestjs/common';
import { RepeatedLog } from '../logging/repeated-log';
import { EventLoopMonitor } from './event-loop-monitor';
import { MetricsController } from './metrics.controller';
import { PlatformMetrics } from './metrics';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    PlatformMetrics,
    {
      provide: EventLoopMonitor,
      useFactory: (metrics: PlatformMetrics, repeated: RepeatedLog) => new EventLoopMonitor(metrics.registry, repeated),
      inject: [PlatformMetrics, RepeatedLog],
    },
  ],
  exports: [PlatformMetrics],
})
export class MetricsModule {}
