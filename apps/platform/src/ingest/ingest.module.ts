import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module';
import { IngestRepository } from './ingest.repository';
import { IngestService } from './ingest.service';

@Module({ imports: [CommandsModule], providers: [IngestService, IngestRepository], exports: [IngestService] })
export class IngestModule {}
