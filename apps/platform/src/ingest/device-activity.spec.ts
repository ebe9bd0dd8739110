import { DeviceActivity } from './device-activity';
import type { IngestRepository } from './ingest.repository';

type Entry = { deviceId: string; at: Date; battery: number | null };

describe('device activity (last seen)', () => {
  const device = { id: 'd1', heartbeatSeconds: 4 }; // rewritten at most every second (¼ heartbeat)
  let written: Entry[];
  let activity: DeviceActivity;

  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse('2026-11-30T02:00:00Z') });
    written = [];
    const repository = { recordActivity: async (entries: Entry[]) => void written.push(...entries) };
    activity = new DeviceActivity(repository as unknown as IngestRepository, { warn: () => undefined }, 60_000);
  });
  afterEach(async () => {
    await activity.close();
    jest.useRealTimers();
  });

  const at = (ms: number) => new Date(Date.parse('2026-11-30T02:00:00Z') + ms);

  it('throttles a talking device, but writes its last message once it has gone quiet (issue 11)', async () => {
    activity.touch(device, at(0));
    await activity.flush();
    activity.touch(device, at(300)); // the last sign of life before the device falls silent
    await activity.flush();
    expect(written.map((e) => e.at)).toEqual([at(0)]); // throttled while it talks
    jest.setSystemTime(at(1200));
    await activity.flush();
    // The offline sweep must time the heartbeat from 300 ms, not from 0.
    expect(written.map((e) => e.at)).toEqual([at(0), at(300)]);
  });
});
