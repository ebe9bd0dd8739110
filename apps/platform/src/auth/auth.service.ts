import { createSecretKey, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { LoginRequest, LoginResponse, Role } from '@anxin/contract';
import { AuditService, LOGIN_FAILED } from '../audit/audit.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AppError } from '../errors/app.errors';
import { ALL_UNITS } from '../org-units/org-scope';
import { PlatformSecretsService } from '../secrets/platform-secrets.service';
import { UsersService } from '../users/users.service';
import { clientAddress, proxyMatcher } from './client-address.util';
import { LoginThrottleRepository, type ThrottleLimits } from './login-throttle.repository';
import { PasswordService } from './password.service';
import { DUMMY_PASSWORD_HASH } from './password.util';
import type { Principal } from './principal';
import { SessionsService } from './sessions.service';

interface TokenClaims {
  sub: string;
  role: Role;
  /** The user's token version at issue; tokens from before issue 12 have none and count as 0. */
  ver?: number;
}

/** One failed login in this many also sweeps throttle rows whose window passed. */
const SWEEP_EVERY = 50;

@Injectable()
export class AuthService {
  private key: KeyObject | null = null;
  private readonly limits: ThrottleLimits;
  private readonly trustedProxy: (address: string) => boolean;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jwt: JwtService,
    private readonly secrets: PlatformSecretsService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly throttle: LoginThrottleRepository,
    private readonly passwords: PasswordService,
    readonly sessions: SessionsService,
  ) {
    const auth = config.auth;
    this.limits = {
      perUser: auth.loginMaxFailuresPerUser,
      perAddress: auth.loginMaxFailuresPerAddress,
      firstDelaySeconds: auth.loginDelaySeconds,
      windowSeconds: auth.loginWindowSeconds,
    };
    this.trustedProxy = proxyMatcher(config.http.trustedProxies);
  }

  /** A socket.io handshake's client address, trusting X-Forwarded-For as HTTP does (ANXIN_TRUSTED_PROXIES). */
  clientAddressOf(request: IncomingMessage): string | null {
    return clientAddress(request, this.trustedProxy);
  }

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
    const key = address ?? '';
    // Issue 12 item 6: the attempt is counted before the password is checked, atomically.
    const wait = await this.throttle.reserveAttempt(input.username, key, this.limits);
    if (wait !== null) {
      throw new AppError(
        'rate_limited',
        `too many failed logins for this username from your address; try again in ${wait} seconds`,
      );
    }
    let user: Awaited<ReturnType<UsersService['findByUsername']>>;
    let valid: boolean;
    try {
      user = await this.users.findByUsername(input.username);
      valid = await this.passwords.verify(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    } catch (error) {
      // Never checked (hashing queue full, database error): the attempt is not a failure.
      await this.throttle.giveBack(input.username, key, this.limits, false);
      throw error;
    }
    if (!user || !valid || user.disabled) {
      await this.audit.record({ actor: null, action: LOGIN_FAILED, actorUsername: input.username, address });
      // Best effort, off the request: a sweep that loses a race with a login is simply tried next time.
      if (Math.random() * SWEEP_EVERY < 1)
        void this.throttle.forgetOld(this.limits.windowSeconds).catch(() => undefined);
      throw new AppError('unauthenticated', 'invalid username or password');
    }
    await this.throttle.giveBack(input.username, key, this.limits, true);
    const expiresIn = this.config.auth.tokenTtlSeconds;
    const claims: TokenClaims = { sub: user.id, role: user.role, ver: user.tokenVersion };
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

  /** Issue 12 item 9: every token of the caller is refused from now on, on every process. */
  async logout(principal: Principal): Promise<void> {
    await this.users.revokeTokens(principal);
    this.sessions.forget(principal.userId);
  }

  /**
   * Verifies a bearer token (HTTP, socket handshake, each socket action) and
   * loads who it is now: a disabled user or a revoked token (older version) is
   * refused. `cached` (socket actions) may use this process' short cache.
   */
  async authenticate(token: string, address: string | null, cached = false): Promise<Principal> {
    let claims: TokenClaims;
    try {
      // jsonwebtoken takes the KeyObject; @nestjs/jwt types verify's secret narrower than it passes it on.
      claims = await this.jwt.verifyAsync<TokenClaims>(token, {
        secret: (await this.signingKey()) as unknown as Buffer,
      });
    } catch {
      throw new AppError('unauthenticated', 'invalid or expired token');
    }
    const user = await this.sessions.findActiveUser(claims.sub, cached);
    if (!user || user.tokenVersion !== (claims.ver ?? 0)) {
      throw new AppError('unauthenticated', 'invalid or expired token');
    }
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
