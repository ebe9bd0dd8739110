import {
  Body,
  Controller,
  Get,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Res,
  type StreamableFile,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { createUserSchema, pageQuerySchema, updateUserSchema } from '@anxin/contract';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ApiJsonBody } from '../http/openapi.util';
import { parseInput } from '../http/parse-input.util';
import { type UserView, UsersService } from './users.service';
import { ListExportsService } from '../exports/list-exports.service';
import { pageFor } from '../exports/list-export';
import { userListSheet } from './user-list-sheet';

const userQuerySchema = pageQuerySchema.extend({
  role: z.enum(['admin', 'operator', 'caregiver']).optional(),
  orgUnitId: z.uuid().optional(),
});

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly exports: ListExportsService,
  ) {}

  @Post()
  @Roles('admin', 'operator')
  @ApiJsonBody(createUserSchema)
  create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<UserView> {
    return this.users.create(principal, parseInput(createUserSchema, body));
  }

  @Get()
  @Roles('admin', 'operator')
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<UserView[] | StreamableFile> {
    const q = parseInput(userQuerySchema, query, 'query');
    const exporting = this.exports.requested(query);
    const [users, total] = await this.users.list(principal, pageFor(q, exporting));
    if (exporting) return this.exports.send(res, principal, userListSheet, users, total, q);
    res.setHeader('X-Total-Count', String(total));
    return users;
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<UserView> {
    return this.users.get(principal, id);
  }

  @Patch(':id')
  @Roles('admin', 'operator')
  @ApiJsonBody(updateUserSchema)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: unknown,
  ): Promise<UserView> {
    return this.users.update(principal, id, parseInput(updateUserSchema, body));
  }
}
