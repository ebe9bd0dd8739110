import { helpText, parseBrokerUrl, parseOptions, UsageError } from './options';
import { credentialsPathFor } from './prepare';
import { MIXED_HOMES } from '../scenarios/catalogue';

const REQUIRED = [
  '--api',
  'http://127.0.0.1:3000/',
  '--mqtt',
  'mqtt://127.0.0.1:1883',
  '--username',
  'op',
  '--password',
  'pw',
];

describe('sim command line', () => {
  it('takes the contract form with its defaults filled in', () => {
    const opts = parseOptions([
      ...REQUIRED,
      '--homes',
      '5',
      '--duration',
      '30',
      '--scenario',
      'sos',
      '--report',
      'r.json',
    ]);
    expect(opts).toMatchObject({
      api: 'http://127.0.0.1:3000',
      mqtt: { host: '127.0.0.1', port: 1883, tls: false },
      homes: 5,
      durationSeconds: 30,
      scenario: 'sos',
      report: 'r.json',
      rate: 1,
      graceSeconds: 20,
      telemetryQos: 1,
      timeZone: 'Asia/Shanghai',
      credentials: null,
    });
    expect(opts?.mix).toHaveLength(8);
    expect(parseOptions(REQUIRED)).toMatchObject({ homes: MIXED_HOMES, durationSeconds: 40, scenario: 'mixed' });
  });

  it('returns null for --help, whose text lists every scenario', () => {
    expect(parseOptions(['--help'])).toBeNull();
    expect(parseOptions(['-h'])).toBeNull();
    for (const name of ['mixed', 'load', 'sos', 'sos_cancel', 'not_back_in_bed', 'bathroom_visit']) {
      expect(helpText()).toContain(`  ${name} `);
    }
  });

  it.each([
    [['--homes', '5'], 'missing --api, --mqtt, --username, --password'],
    [['--api', 'http://x', '--mqtt', 'mqtt://x'], 'missing --username, --password'],
    [[...REQUIRED, '--homes', '0'], '--homes must be an integer from 1'],
    [[...REQUIRED, '--scenario', 'earthquake'], '--scenario: unknown "earthquake"'],
    [[...REQUIRED, '--mix', 'wearable,toaster'], '--mix: unknown device type "toaster"'],
    [[...REQUIRED, '--telemetry-qos', '2'], '--telemetry-qos must be an integer from 0 to 1'],
    [[...REQUIRED, '--timezone', 'Mars/Olympus'], '--timezone: unknown time zone'],
    [[...REQUIRED, '--bogus'], "Unknown option '--bogus'"],
  ])('rejects %j with one clear line', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(UsageError);
    expect(() => parseOptions(argv)).toThrow(message);
  });

  it("runs infra_blip only with the operator's fault command, kept exactly as typed", () => {
    const fault = "redis-cli -p 6390 client pause 10000 all; echo 'paused $HOME'";
    const opts = parseOptions([...REQUIRED, '--scenario', 'infra_blip', '--fault-command', fault]);
    expect(opts).toMatchObject({ scenario: 'infra_blip', faultCommand: fault });
    expect(opts?.faultRecoverCommand).toBeUndefined();
    const both = parseOptions([
      ...REQUIRED,
      '--scenario=infra_blip',
      '--fault-command=./block-pg.sh',
      '--fault-recover-command',
      './unblock-pg.sh',
    ]);
    expect(both).toMatchObject({ faultCommand: './block-pg.sh', faultRecoverCommand: './unblock-pg.sh' });
    expect(parseOptions([...REQUIRED, '--scenario', 'sos'])?.faultCommand).toBeUndefined();
    expect(helpText()).toContain('--fault-command <cmd>');
    expect(helpText()).toContain('--fault-recover-command <cmd>');
    expect(helpText()).toMatch(/^ {2}infra_blip +→ sos: /m);
  });

  it.each([
    [['--scenario', 'infra_blip'], '--scenario infra_blip needs --fault-command'],
    [['--scenario', 'infra_blip', '--fault-recover-command', 'x'], '--scenario infra_blip needs --fault-command'],
    [['--scenario', 'infra_blip', '--fault-command', '  '], '--fault-command is empty'],
    [['--scenario', 'sos', '--fault-command', 'true'], '--fault-command is only run by fault scenarios'],
    [['--fault-command', 'true'], 'not by --scenario mixed'],
  ])('refuses fault options %j with one clear line', (argv, message) => {
    const run = () => parseOptions([...REQUIRED, ...argv]);
    expect(run).toThrow(UsageError);
    expect(run).toThrow(message);
    expect(run).toThrow(/^[^\n]+$/);
  });

  it('understands mqtt, mqtts and IPv6 broker URLs and refuses WebSocket ones', () => {
    expect(parseBrokerUrl('mqtts://broker.example:8884')).toEqual({ host: 'broker.example', port: 8884, tls: true });
    expect(parseBrokerUrl('mqtt://[::1]:18990')).toEqual({ host: '::1', port: 18990, tls: false });
    expect(() => parseBrokerUrl('ws://127.0.0.1:3000/mqtt')).toThrow(UsageError);
  });

  it('keeps credentials next to the report unless --credentials names a file', () => {
    expect(credentialsPathFor({ credentials: null, report: 'out/run.json' })).toBe('out/run.credentials.json');
    expect(credentialsPathFor({ credentials: 'homes.json', report: 'out/run.json' })).toBe('homes.json');
    expect(credentialsPathFor({ credentials: null, report: null })).toBeNull();
  });
});
