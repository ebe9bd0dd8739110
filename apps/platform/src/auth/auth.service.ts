import { createSecretKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { LoginRequest, LoginResponse, Role } from '@anxin/contract';
import { AuditService, LOGIN_FAILED } from '../audit/audit.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AppError } from '../errors/app.errors';
import { ALL_UNITS } from '../org-units/org-scope';
import { PlatformSecretsService } from '../secrets/platform-secrets.service';
import { UsersService } from '../users/users.service';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './password.util';
import type { Principal } from './principal';

interface TokenClaims {
  sub: string;
  role: Role;
}

@Injectable()
export class AuthService {
  private key: KeyObject | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly secrets: PlatformSecretsService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  /**
   * A KeyObject, made once: given a string or Buffer, jsonwebtoken first tries
   * (and fails, with a thrown error) to parse it as a public key on every verify.
   */
  private async signingKey(): Promise<KeyObject> {
    if (!this.key) {
      const secret = this.config.auth.jwtSecret ?? (await this.secrets.requireKey('jwt'));
      this.key = createSecretKey(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
    }
    return this.key;
  }

  async login(input: LoginRequest, address: string | null): Promise<LoginResponse> {
    const { loginWindowSeconds, loginMaxFailuresPerUser, loginMaxFailuresPerAddress } = this.config.auth;
    // Counted from the audit log, so every platform process sharing the database agrees.
    const failures = await this.audit.countRecentLoginFailures(input.username, address, loginWindowSeconds);
    if (failures.byUser >= loginMaxFailuresPerUser || failures.byAddress >= loginMaxFailuresPerAddress) {
      throw new AppError(
        'rate_limited',
        `too many failed logins for this username or address; try again in ${Math.ceil(loginWindowSeconds / 60)} minutes`,
      );
    }
    const user = await this.users.findByUsername(input.username);
    const valid = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !valid || user.disabled) {
      await this.audit.record({ actor: null, action: LOGIN_FAILED, actorUsername: input.username, address });
      throw new AppError('unauthenticated', 'invalid username or password');
    }
    const expiresIn = this.config.auth.tokenTtlSeconds;
    const claims: TokenClaims = { sub: user.id, role: user.role };
    const accessToken = await this.jwt.signAsync(claims, { privateKey: await this.signingKey(), expiresIn });
    await this.audit.record({
      actor: { userId: user.id, username: user.username, address },
      action: 'auth.login',
      subjectType: 'user',
      subjectId: user.id,
      orgUnitId: user.orgUnitId,
    });
    return {
      accessToken,
      expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
      user: { id: user.id, username: user.username, role: user.role, orgUnitId: user.orgUnitId },
    };
  }

  /** Verifies a bearer token (HTTP or socket handshake) and loads who it is now. */
  async authenticate(token: string, address: string | null): Promise<Principal> {
    let claims: TokenClaims;
    try {
      // jsonwebtoken takes the KeyObject; @nestjs/jwt types verify's secret narrower than it passes it on.
      claims = await this.jwt.verifyAsync<TokenClaims>(token, {
        secret: (await this.signingKey()) as unknown as Buffer,
      });
    } catch {
      throw new AppError('unauthenticated', 'invalid or expired token');
    }
    const user = await this.users.findActiveWithUnitPath(claims.sub);
    if (!user) throw new AppError('unauthenticated', 'invalid or expired token');
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      orgUnitId: user.orgUnitId,
      scope: user.role === 'admin' ? ALL_UNITS : { kind: 'subtree', path: user.unitPath },
      address,
    };
  }
}
