import { Writable } from 'node:stream';
import fc from 'fast-check';
import { Client } from 'pg';
import pino from 'pino';
import { io } from 'socket.io-client';
import { createCenter, createStation } from '../../support/fixtures';
import { ADMIN_PASSWORD, startTestPlatform, type TestPlatform, unique } from '../../support/platform-harness';

interface Operation {
  method: string;
  path: string;
  /** A body that passes validation, so a hostile value in one field reaches the code behind it. */
  validBody: Record<string, unknown>;
}

/** A value its JSON schema accepts (the OpenAPI document is generated from the zod schemas). */
function validSample(schema: any, orgUnitId: string): unknown {
  if (schema?.enum) return schema.enum[0];
  if (schema?.anyOf) return validSample(schema.anyOf[0], orgUnitId);
  switch (schema?.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, value]) => [key, validSample(value, orgUnitId)]),
      );
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return Math.max(1, schema.minimum ?? 1);
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'uuid') return orgUnitId;
      if (schema.format === 'date-time') return new Date().toISOString();
      if (schema.format === 'date') return '1940-01-01';
      return 'x'.repeat(Math.max(8, schema.minLength ?? 1));
    default:
      return 'x';
  }
}

/** Every operation the OpenAPI document lists, with the fields its JSON body takes. */
async function operationsOf(t: TestPlatform, orgUnitId: string): Promise<Operation[]> {
  const doc = (await t.api.get('/api/docs-json')).body as {
    paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: any }> } }>>;
  };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      validBody: (validSample(op.requestBody?.content?.['application/json']?.schema, orgUnitId) ?? {}) as Record<
        string,
        unknown
      >,
    })),
  );
}

/** Percent-encoding that also sends a lone surrogate, as the (invalid UTF-8) bytes a hostile client would. */
function percentEncoded(text: string): string {
  return [...text].map((c) => (/[\ud800-\udfff]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c))).join('');
}

const hostileText = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '%00', "'; DROP TABLE users; --", '<script>1</script>'),
  fc.string({ minLength: 1_000, maxLength: 1_000 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
/** Bodies also get 10 kB strings (a URL that long is refused by Node's header limit before any of our code runs). */
const hostileString = fc.oneof(hostileText, fc.string({ minLength: 10_000, maxLength: 10_000 }));
const unstorable = fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udc00y');
const hostileValue = fc.oneof(
  unstorable,
  hostileString,
  fc.constantFrom(null, true, -1, 1e308, [], {}, [null], { $gt: '' }),
  fc.array(hostileString, { maxLength: 3 }),
);

/**
 * Issue 12 (items 10, 11, 18): hostile input over every endpoint is a 4xx in
 * our error shape, never a 500, and errors are logged without their values.
 */
describe('hostile HTTP input', () => {
  const logLines: string[] = [];
  let t: TestPlatform;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    t = await startTestPlatform({}, pino({ level: 'warn' }, sink));
  });
  afterAll(() => t.stop());

  it('answers hostile bodies, queries and path values on every endpoint without a 500 (fast-check)', async () => {
    const station = await createStation(t.admin, await createCenter(t.admin), 'wearable');
    const ids: Record<string, string> = {
      residents: station.residentId,
      devices: station.deviceId,
      users: station.operatorId,
      'org-units': station.communityId,
    };
    const idOf = (collection: string) => ids[collection] ?? station.communityId;
    const operations = (await operationsOf(t, station.communityId)).filter(
      (op) => !/logout|password|disable/.test(op.path) && op.path.startsWith('/api/v1/'),
    );
    expect(operations.length).toBeGreaterThan(20);
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...operations),
        fc.constantFrom('path', 'query', 'body', 'body', 'body'),
        hostileText,
        hostileValue,
        fc.nat(),
        async (op, where, text, value, pick) => {
          // One place is hostile at a time; the rest is valid, so the value reaches the code behind validation.
          const path = op.path.replace(/([a-z-]+)\/\{[^}]+\}/g, (_, collection: string) =>
            where === 'path' ? `${collection}/${percentEncoded(text)}` : `${collection}/${idOf(collection)}`,
          );
          const query = where === 'query' ? `?status=${percentEncoded(text)}&q=${percentEncoded(text)}` : '';
          const fields = Object.keys(op.validBody);
          const field = fields[pick % Math.max(1, fields.length)];
          const body = where === 'body' && field !== undefined ? { ...op.validBody, [field]: value } : op.validBody;
          const res = await t.admin.request(op.method, `${path}${query}`, op.method === 'GET' ? undefined : body);
          const shaped = typeof res.body?.message === 'string' && res.body?.statusCode === res.status;
          if (res.status >= 500 || (res.status >= 400 && !shaped)) {
            failures.push(`${op.method} ${op.path} ${where} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          }
        },
      ),
      { numRuns: 300, seed: 20261130 },
    );
    expect(failures).toEqual([]);
    expect((await t.api.get('/api/v1/health')).status).toBe(200);
  });

  it('refuses NUL in the unauthenticated login with a 400 naming the field', async () => {
    const res = await t.api.post('/api/v1/auth/login', { username: 'ad\u0000min', password: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/^username: /) });
  });

  it('answers malformed JSON, form bodies and unknown API routes in the JSON error shape', async () => {
    const malformed = await t.api.request('POST', '/api/v1/auth/login', undefined, '{"username": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'body: malformed JSON' });

    const form = await fetch(`${t.api.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `username=admin&password=${ADMIN_PASSWORD}`,
    });
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ statusCode: 415, message: expect.stringMatching(/^Content-Type: /) });

    const unknown = await t.admin.get('/api/v1/no-such-thing');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('refuses clients on the default socket.io namespace', async () => {
    const socket = io(t.api.baseUrl, { transports: ['websocket'], reconnection: false });
    try {
      const outcome = await new Promise<string>((resolve) => {
        socket.on('connect', () => resolve('connected'));
        socket.on('connect_error', (error) => resolve(`refused: ${error.message}`));
      });
      expect(outcome).toMatch(/^refused: /);
    } finally {
      socket.close();
    }
  });

  it('logs a database failure with a correlation id and without the statement values', async () => {
    const db = new Client({ connectionString: t.database.url });
    await db.connect();
    const username = unique('leaky');
    await db.query(`
      CREATE FUNCTION fail_user_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'storage fault' USING ERRCODE = 'XX000', DETAIL = 'row: ' || NEW.username; END $$;
      CREATE TRIGGER fail_user_insert BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION fail_user_insert();
    `);
    try {
      logLines.length = 0;
      const center = await t.admin.post('/api/v1/org-units', { name: unique('中心'), kind: 'center' });
      const res = await t.admin.post('/api/v1/users', {
        username,
        password: 'a-secret-password',
        role: 'operator',
        orgUnitId: center.body.id,
      });
      expect(res.status).toBe(500);
      const correlationId = /correlation id ([0-9a-f-]{36})/.exec(res.body.message)?.[1];
      expect(correlationId).toBeDefined();
      const logged = logLines.join('');
      expect(logged).toContain(correlationId);
      expect(logged).toContain('XX000');
      // Neither the user name (a parameter, and quoted in pg's detail) nor the password hash.
      expect(logged).not.toContain(username);
      expect(logged).not.toMatch(/scrypt|\$argon|[0-9a-f]{64}/);
    } finally {
      await db.query('DROP TRIGGER fail_user_insert ON users; DROP FUNCTION fail_user_insert()');
      await db.end();
    }
  });
});
