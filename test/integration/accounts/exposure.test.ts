import fs from 'node:fs';
import path from 'node:path';
import { startTestPlatform, type TestPlatform } from '../../support/platform-harness';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

/** Issue 12 items 15 and 16: what the platform shows of itself to whoever asks. */
describe('security headers and metrics exposure', () => {
  let t: TestPlatform;
  let open: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ ANXIN_METRICS_TOKEN: METRICS_TOKEN });
    open = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
    await open.stop();
  });

  it.each(['/', '/caregiver', '/api/v1/health', '/api/v1/no-such-route', '/api/docs'])(
    'sends CSP without inline script, frame-ancestors, nosniff and Referrer-Policy on %s',
    async (page) => {
      const res = await fetch(`${t.api.baseUrl}${page}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      const scriptSrc = /script-src ([^;]+)/.exec(csp)?.[1] ?? '';
      expect(scriptSrc).toBe("'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
    },
  );

  it('serves /metrics only with the configured bearer token', async () => {
    const scrape = (authorization?: string) =>
      fetch(`${t.api.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });
    expect((await scrape()).status).toBe(401);
    expect((await scrape('Bearer wrong-token-wrong-token-00')).status).toBe(401);
    const ok = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('anxin_messages_in_total');
  });

  it('serves /metrics without a token to loopback clients only', async () => {
    // Tests reach the platform over loopback; a remote scraper needs ANXIN_METRICS_TOKEN (see README).
    const res = await fetch(`${open.api.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('anxin_connect_refused_total');
  });

  it('ships no source maps with the built web apps', () => {
    const webDist = path.resolve(__dirname, '../../../dist/apps/web');
    // `npm test` builds first; a suite run without a build has nothing to check here.
    if (!fs.existsSync(webDist)) return;
    const files = fs.readdirSync(webDist, { recursive: true }).map(String);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const scripts = files.filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const f of scripts) expect(fs.readFileSync(path.join(webDist, f), 'utf8')).not.toContain('sourceMappingURL');
  });
});
