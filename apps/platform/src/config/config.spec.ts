import { ConfigError, loadConfig } from './config';

describe('loadConfig: accounts and sessions', () => {
  it('trusts no proxy by default, and the listed addresses, CIDRs and names when set', () => {
    expect(loadConfig({}).http.trustedProxies).toEqual([]);
    expect(
      loadConfig({ ANXIN_TRUSTED_PROXIES: '10.0.0.1, 10.1.0.0/16,fd00::/8,loopback' }).http.trustedProxies,
    ).toEqual(['10.0.0.1', '10.1.0.0/16', 'fd00::/8', 'loopback']);
  });

  it.each(['proxy.local', '10.0.0.0/33', '10.0.0.1/8/1', ''])(
    'refuses %j in ANXIN_TRUSTED_PROXIES naming it',
    (entry) => {
      const load = () => loadConfig({ ANXIN_TRUSTED_PROXIES: `10.0.0.1,${entry}` });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(/^ANXIN_TRUSTED_PROXIES: /);
    },
  );

  it('keeps the ANXIN_LOGIN_* variables and adds the first delay and the hashing bounds', () => {
    const auth = loadConfig({
      ANXIN_LOGIN_MAX_FAILURES: '3',
      ANXIN_LOGIN_MAX_FAILURES_PER_ADDRESS: '9',
      ANXIN_LOGIN_WINDOW: '10m',
      ANXIN_LOGIN_DELAY: '5s',
      ANXIN_PASSWORD_HASH_CONCURRENCY: '2',
      ANXIN_PASSWORD_HASH_QUEUE: '0',
    }).auth;
    expect(auth).toMatchObject({
      loginMaxFailuresPerUser: 3,
      loginMaxFailuresPerAddress: 9,
      loginWindowSeconds: 600,
      loginDelaySeconds: 5,
      passwordHashConcurrency: 2,
      passwordHashQueue: 0,
    });
    expect(loadConfig({}).auth).toMatchObject({
      loginDelaySeconds: 30,
      passwordHashConcurrency: 1,
      passwordHashQueue: 16,
    });
    expect(() => loadConfig({ ANXIN_PASSWORD_HASH_CONCURRENCY: '0' })).toThrow(/^ANXIN_PASSWORD_HASH_CONCURRENCY: /);
  });
});
