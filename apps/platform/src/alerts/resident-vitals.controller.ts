import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { parseInput } from '../http/parse-input.util';
import { ResidentsService } from '../residents/residents.service';

interface VitalsPoint {
  at: Date;
  heartRate: number | null;
  respirationRate: number | null;
  inBed: boolean | null;
  source: 'mattress' | 'wearable';
}

const vitalsQuerySchema = z.object({
  minutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
});

@ApiTags('residents')
@ApiBearerAuth()
@Roles('admin', 'operator')
@Controller('residents/:id/vitals')
export class ResidentVitalsController {
  constructor(
    private readonly residents: ResidentsService,
    private readonly db: DataSource,
  ) {}

  /** Recent heart rate and respiration (mattress and wearable) for the alert detail chart. */
  @Get()
  async vitals(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: unknown,
  ): Promise<VitalsPoint[]> {
    const { minutes } = parseInput(vitalsQuerySchema, query, 'query');
    await this.residents.requireInScope(principal.scope, id);
    return this.db.query<VitalsPoint[]>(
      `SELECT t.received_at AS at, t.heart_rate AS "heartRate", t.respiration_rate AS "respirationRate", t.in_bed AS "inBed", d.type AS source
       FROM telemetry t JOIN devices d ON d.id = t.device_id
       WHERE d.resident_id = $1 AND d.type IN ('mattress', 'wearable') AND t.received_at > now() - make_interval(mins => $2)
         AND (t.heart_rate IS NOT NULL OR t.respiration_rate IS NOT NULL)
       ORDER BY t.received_at LIMIT 5000`,
      [id, minutes],
    );
  }
}
