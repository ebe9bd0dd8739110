import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from './logger';
import { RepeatedLog } from './repeated-log';

/** One RepeatedLog per platform instance, so what it suppressed is counted out at shutdown. */
@Global()
@Module({
  providers: [{ provide: RepeatedLog, useFactory: (log: Logger) => new RepeatedLog(log), inject: [LOGGER] }],
  exports: [RepeatedLog],
})
export class LoggingModule implements OnApplicationShutdown {
  constructor(@Inject(RepeatedLog) private readonly repeated: RepeatedLog) {}

  onApplicationShutdown(): void {
    this.repeated.close();
  }
}
