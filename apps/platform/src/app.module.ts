import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { APP_CONFIG, type AppConfig } from './config/config';
import { DevicesModule } from './devices/devices.module';
import { HealthController } from './health/health.controller';
import { ApiErrorFilter } from './http/api-error.filter';
import { LOGGER } from './logging/logger';
import { LoggingModule } from './logging/logging.module';
import { DATABASE_URL } from './database/database-url';
import { DATABASE_LANES, type DatabaseLanes } from './database/database-lanes';
import { OrgUnitsModule } from './org-units/org-units.module';
import { ResidentsModule } from './residents/residents.module';
import { UsersModule } from './users/users.module';
import { CommandsModule } from './commands/commands.module';
import { IngestModule } from './ingest/ingest.module';
import { MetricsModule } from './metrics/metrics.module';
import { MqttModule } from './mqtt/mqtt.module';
import { AlertsModule } from './alerts/alerts.module';
import { JobsModule } from './jobs/jobs.module';
import { DispatchModule } from './dispatch/dispatch.module';
import { ReportsModule } from './reports/reports.module';
import { PersonalDataModule } from './personal-data/personal-data.module';
import { RetentionModule } from './retention/retention.module';
import { RealtimeModule } from './realtime/realtime.module';
import { InputTextGuard } from './http/input-text.guard';
import { RedisModule } from './redis/redis.module';

export interface PlatformRuntime {
  config: AppConfig;
  db: DataSource;
  lanes: DatabaseLanes;
  databaseUrl: string;
  log: Logger;
}

/** Config, database and logger are made before Nest starts (the database must be migrated first). */
@Global()
@Module({})
class RuntimeModule {
  static of(runtime: PlatformRuntime): DynamicModule {
    const providers = [
      { provide: APP_CONFIG, useValue: runtime.config },
      { provide: DataSource, useValue: runtime.db },
      { provide: DATABASE_LANES, useValue: runtime.lanes },
      { provide: LOGGER, useValue: runtime.log },
      { provide: DATABASE_URL, useValue: runtime.databaseUrl },
    ];
    return { module: RuntimeModule, providers, exports: providers };
  }
}

@Module({})
export class AppModule {
  static forRuntime(runtime: PlatformRuntime): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RuntimeModule.of(runtime),
        LoggingModule,
        MetricsModule,
        RedisModule,
        JobsModule,
        AuditModule,
        AuthModule,
        OrgUnitsModule,
        UsersModule,
        ResidentsModule,
        DevicesModule,
        CommandsModule,
        IngestModule,
        MqttModule,
        AlertsModule,
        DispatchModule,
        RealtimeModule,
        ReportsModule,
        PersonalDataModule,
        RetentionModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_FILTER, useClass: ApiErrorFilter },
        { provide: APP_GUARD, useClass: InputTextGuard },
      ],
    };
  }
}
