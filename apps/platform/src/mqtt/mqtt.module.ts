import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module';
import { DevicesModule } from '../devices/devices.module';
import { IngestModule } from '../ingest/ingest.module';
import { DeviceAuthService } from './device-auth.service';
import { MqttBrokerService } from './mqtt-broker.service';

@Module({
  imports: [DevicesModule, IngestModule, CommandsModule],
  providers: [DeviceAuthService, MqttBrokerService],
  exports: [MqttBrokerService, DeviceAuthService],
})
export class MqttModule {}
