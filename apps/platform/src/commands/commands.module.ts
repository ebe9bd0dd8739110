import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DevicesModule } from '../devices/devices.module';
import { CommandsController } from './commands.controller';
import { CommandsRepository } from './commands.repository';
import { CommandsService } from './commands.service';

@Module({
  imports: [AuditModule, DevicesModule],
  controllers: [CommandsController],
  providers: [CommandsService, CommandsRepository],
  exports: [CommandsService],
})
export class CommandsModule {}
