import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { type LoginResponse, loginRequestSchema } from '@anxin/contract';
import { ApiJsonBody } from '../http/openapi.util';
import { parseInput } from '../http/parse-input.util';
import { AuthService } from './auth.service';
import { CurrentPrincipal, type Principal } from './principal';
import { Public } from './roles.decorator';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiJsonBody(loginRequestSchema)
  login(@Body() body: unknown, @Req() request: Request): Promise<LoginResponse> {
    return this.auth.login(parseInput(loginRequestSchema, body), request.ip ?? null);
  }

  /** Issue 12 item 9: ends every session of the caller (all its tokens, its open sockets on every process). */
  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  async logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.auth.logout(principal);
  }

  @Get('me')
  @ApiBearerAuth()
  me(@CurrentPrincipal() principal: Principal): Omit<Principal, 'scope' | 'address'> {
    return {
      userId: principal.userId,
      username: principal.username,
      role: principal.role,
      orgUnitId: principal.orgUnitId,
    };
  }
}
