import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { pageQuerySchema } from '@anxin/contract';
import { Roles } from '../auth/roles.decorator';
import { parseInput } from '../http/parse-input.util';
import { AuditService } from './audit.service';

const auditQuerySchema = pageQuerySchema.extend({
  action: z.string().max(100).optional(),
  subjectId: z.string().max(100).optional(),
});

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit-log')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('admin')
  async list(@Query() query: unknown, @Res({ passthrough: true }) res: Response): Promise<unknown[]> {
    const filter = parseInput(auditQuerySchema, query, 'query');
    const { items, total } = await this.audit.listRecent(filter);
    res.setHeader('X-Total-Count', String(total));
    return items;
  }
}
