// The HTTP API as the simulator uses it (CONTRACT §3): JSON in and out, bearer
// token, and patient retries for the transient answers a busy platform gives
// while thousands of homes are provisioned (429, 502–504, dropped connections).
import type { LoginResponse } from '@anxin/contract';
import { sleep } from '../clock';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: unknown,
  ) {
    super(`${method} ${path} answered ${status}: ${describeBody(body)}`);
  }
}

function describeBody(body: unknown): string {
  if (body && typeof body === 'object' && 'message' in body) return String(body.message);
  return typeof body === 'string' ? body.slice(0, 200) : (JSON.stringify(body)?.slice(0, 200) ?? '');
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const MAX_ATTEMPTS = 6;

export class SimApiClient {
  private token: string | null = null;
  private credentials: { username: string; password: string } | null = null;

  constructor(readonly baseUrl: string) {}

  get accessToken(): string {
    if (!this.token) throw new Error('not logged in');
    return this.token;
  }

  /** POST /auth/login; remembered so an expired token is renewed once, transparently. */
  async login(username: string, password: string): Promise<LoginResponse> {
    this.credentials = { username, password };
    const res = await this.send<LoginResponse>('POST', '/api/v1/auth/login', { username, password }, false);
    this.token = res.accessToken;
    return res;
  }

  get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PATCH', path, body);
  }

  private async send<T>(method: string, path: string, body?: unknown, authenticated = true): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(authenticated && this.token ? { authorization: `Bearer ${this.token}` } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS) {
          throw new Error(`${method} ${this.baseUrl}${path} failed: ${(error as Error).message}`, { cause: error });
        }
        await sleep(backoffMs(attempt));
        continue;
      }
      const text = await res.text();
      const parsed = parseJson(text);
      if (res.ok) return parsed as T;
      if (res.status === 401 && authenticated && this.credentials && attempt === 1) {
        // Tokens expire (ANXIN_TOKEN_TTL); a long run logs in again rather than failing.
        await this.login(this.credentials.username, this.credentials.password);
        continue;
      }
      if (RETRY_STATUSES.has(res.status) && attempt < MAX_ATTEMPTS) {
        const retryAfter = Number(res.headers.get('retry-after'));
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoffMs(attempt));
        continue;
      }
      throw new ApiError(res.status, method, path, parsed);
    }
  }
}

function backoffMs(attempt: number): number {
  return Math.min(8_000, 250 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
