import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AuditModule } from '../audit/audit.module';
import { SecretsModule } from '../secrets/secrets.module';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginThrottleRepository } from './login-throttle.repository';
import { PasswordModule } from './password.module';
import { SessionsService } from './sessions.service';

@Module({
  imports: [JwtModule.register({}), AuditModule, PasswordModule, SecretsModule, UsersModule],
  controllers: [AuthController],
  providers: [AuthService, LoginThrottleRepository, SessionsService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService],
})
export class AuthModule {}
