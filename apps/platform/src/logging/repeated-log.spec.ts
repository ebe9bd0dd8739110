import { Writable } from 'node:stream';
import pino from 'pino';
import { RepeatedLog } from './repeated-log';

interface Line {
  level: number;
  msg: string;
  deviceId?: string;
  repeated?: number;
  intervalSeconds?: number;
}

describe('RepeatedLog', () => {
  let lines: Line[];
  let repeated: RepeatedLog;

  beforeEach(() => {
    jest.useFakeTimers();
    lines = [];
    // The real pino writing JSON lines into a real stream, as the platform's log does.
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Line);
        done();
      },
    });
    repeated = new RepeatedLog(pino({ level: 'info' }, destination), 10_000);
  });
  afterEach(() => {
    repeated.close();
    jest.useRealTimers();
  });

  it('logs the first occurrence at once, then the repeats once at the end of the interval with their count', () => {
    repeated.error('store', { deviceId: 'd1' }, 'could not store a device message');
    expect(lines).toEqual([expect.objectContaining({ level: 50, msg: 'could not store a device message' })]);
    expect(lines[0]).not.toHaveProperty('repeated');

    for (const deviceId of ['d2', 'd3', 'd4'])
      repeated.error('store', { deviceId }, 'could not store a device message');
    jest.advanceTimersByTime(9_999);
    expect(lines).toHaveLength(1);

    jest.advanceTimersByTime(1);
    expect(lines).toHaveLength(2);
    // The latest error's fields are kept: the one worth reading.
    expect(lines[1]).toMatchObject({ level: 50, deviceId: 'd4', repeated: 3, intervalSeconds: 10 });

    jest.advanceTimersByTime(30_000); // nothing more happened: nothing more is logged
    expect(lines).toHaveLength(2);
  });

  it('counts keys apart, and logs a key at once again after it has been quiet for an interval', () => {
    repeated.warn('a', {}, 'first kind');
    repeated.warn('b', {}, 'second kind');
    repeated.warn('a', {}, 'first kind');
    expect(lines.map((l) => l.msg)).toEqual(['first kind', 'second kind']);

    jest.advanceTimersByTime(10_000);
    expect(lines.slice(2)).toEqual([expect.objectContaining({ level: 40, msg: 'first kind', repeated: 1 })]);

    jest.advanceTimersByTime(30_000);
    repeated.warn('a', {}, 'first kind');
    expect(lines).toHaveLength(4);
    expect(lines[3]).not.toHaveProperty('repeated');
  });

  it('logs what it is still holding back when closed', () => {
    repeated.warn('a', {}, 'lost connection');
    repeated.warn('a', {}, 'lost connection');
    repeated.close();
    expect(lines[1]).toMatchObject({ msg: 'lost connection', repeated: 1 });
  });
});
