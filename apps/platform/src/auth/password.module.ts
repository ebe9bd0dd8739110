import { Module } from '@nestjs/common';
import { PasswordService } from './password.service';

/** One bounded password hasher per process, shared by login and user management. */
@Module({ providers: [PasswordService], exports: [PasswordService] })
export class PasswordModule {}
