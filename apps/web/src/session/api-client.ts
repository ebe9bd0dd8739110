import type { ApiErrorBody } from '@anxin/contract';

/** An HTTP error from the platform (CONTRACT §3 error body), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ListResult<T> {
  items: T[];
  total: number;
}

type Query = Record<string, string | number | boolean | null | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * The one HTTP client both apps use: JSON under /api/v1, bearer token, coded errors.
 * A 401 on an authenticated call ends the session (the token expired or was revoked).
 */
export class ApiClient {
  constructor(
    private readonly token: string | null,
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  /** `extra` plus the bearer token of this session, if any. */
  private headers(extra: Record<string, string>): Record<string, string> {
    return this.token ? { ...extra, authorization: `Bearer ${this.token}` } : extra;
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    query?: Query,
  ): Promise<{ data: T; headers: Headers }> {
    const headers = this.headers({ accept: 'application/json' });
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`/api/v1${withQuery(path, query)}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'network');
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!res.ok) {
      if (res.status === 401 && this.token) this.onUnauthorized();
      const message = (parsed as Partial<ApiErrorBody> | null)?.message;
      throw new ApiError(res.status, typeof message === 'string' ? message : res.statusText);
    }
    return { data: parsed as T, headers: res.headers };
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    return (await this.request<T>('GET', path, undefined, query)).data;
  }

  /** A list call: the array plus `X-Total-Count` (CONTRACT: lists are paged with limit ≤ 500). */
  async list<T>(path: string, query?: Query): Promise<ListResult<T>> {
    const { data, headers } = await this.request<T[]>('GET', path, undefined, { limit: 500, ...query });
    const items = Array.isArray(data) ? data : [];
    const total = Number(headers.get('x-total-count') ?? items.length);
    return { items, total: Number.isFinite(total) ? total : items.length };
  }

  /** A file the platform answers with `Content-Disposition: attachment`, saved under its name. */
  async download(path: string, query: Query, fallbackName: string): Promise<void> {
    const res = await fetch(`/api/v1${withQuery(path, query)}`, { headers: this.headers({}) }).catch(() => {
      throw new ApiError(0, 'network');
    });
    if (!res.ok) throw new ApiError(res.status, res.statusText);
    const disposition = res.headers.get('content-disposition') ?? '';
    const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await res.blob());
    link.download = encoded ? decodeURIComponent(encoded) : fallbackName;
    link.click();
    URL.revokeObjectURL(link.href);
  }

  /**
   * A file as the request body (a spreadsheet import). `refusedWith`: statuses whose JSON body is the
   * answer too (the import's 422 lists the rows' errors), not an error.
   */
  async upload<T>(path: string, query: Query, file: File, refusedWith: number[] = []): Promise<T> {
    const headers = this.headers({ 'content-type': file.type || 'application/octet-stream' });
    const res = await fetch(`/api/v1${withQuery(path, query)}`, { method: 'POST', headers, body: file }).catch(() => {
      throw new ApiError(0, 'network');
    });
    const parsed = (await res.json().catch(() => null)) as (T & Partial<ApiErrorBody>) | null;
    if (!res.ok && !refusedWith.includes(res.status)) {
      if (res.status === 401 && this.token) this.onUnauthorized();
      throw new ApiError(res.status, typeof parsed?.message === 'string' ? parsed.message : res.statusText);
    }
    return parsed as T;
  }

  async post<T>(path: string, body: unknown = {}): Promise<T> {
    return (await this.request<T>('POST', path, body)).data;
  }

  async patch<T>(path: string, body: unknown): Promise<T> {
    return (await this.request<T>('PATCH', path, body)).data;
  }
}
