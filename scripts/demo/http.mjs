// A small JSON client for the platform's HTTP API (CONTRACT §3), for the demo only.

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export class Api {
  /** @param {string} baseUrl e.g. http://127.0.0.1:3000 */
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
    /** @type {string | null} */
    this.token = null;
  }

  /**
   * @param {string} username
   * @param {string} password
   * @returns {Promise<{accessToken: string, user: {id: string, username: string, role: string, orgUnitId: string}}>}
   */
  async login(username, password) {
    const res = await this.request('POST', '/api/v1/auth/login', { username, password });
    this.token = res.accessToken;
    return res;
  }

  /** @param {string} path */
  get(path) {
    return this.request('GET', path);
  }

  /**
   * @param {string} path
   * @param {unknown} body
   */
  post(path, body) {
    return this.request('POST', path, body);
  }

  /**
   * @param {string} path
   * @param {unknown} body
   */
  patch(path, body) {
    return this.request('PATCH', path, body);
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   */
  async request(method, path, body) {
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await globalThis.fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: globalThis.AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    /** @type {any} */
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) {
      const message = json && typeof json.message === 'string' ? json.message : text.slice(0, 200);
      throw new ApiError(res.status, `${method} ${path}: ${res.status} ${message}`);
    }
    return json;
  }
}
