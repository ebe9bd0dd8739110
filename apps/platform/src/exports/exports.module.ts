import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ListExportsService } from './list-exports.service';

@Module({
  imports: [AuditModule],
  providers: [ListExportsService],
  exports: [ListExportsService],
})
export class ExportsModule {}
