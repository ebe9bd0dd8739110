import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { AuthModule } from '../auth/auth.module';
import { DispatchModule } from '../dispatch/dispatch.module';
import { RealtimeService } from './realtime.service';

@Module({
  imports: [AlertsModule, AuthModule, DispatchModule],
  providers: [RealtimeService],
  exports: [RealtimeService],
})
export class RealtimeModule {}
