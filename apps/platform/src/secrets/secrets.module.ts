import { Module } from '@nestjs/common';
import { PlatformSecretsService } from './platform-secrets.service';

@Module({ providers: [PlatformSecretsService], exports: [PlatformSecretsService] })
export class SecretsModule {}
