import { PassThrough } from 'node:stream';
import { PendingConnections } from './pending-connections';

describe('pending connections', () => {
  let timeouts: number;
  let pending: PendingConnections;
  beforeEach(() => {
    jest.useFakeTimers();
    timeouts = 0;
    pending = new PendingConnections(2, () => (timeouts += 1), 1_000);
  });
  afterEach(() => jest.useRealTimers());

  it('caps unanswered connections and frees a place when one is answered or closes', async () => {
    const [a, b, c] = [new PassThrough(), new PassThrough(), new PassThrough()];
    expect(pending.admit(a)).toBe(true);
    expect(pending.admit(b)).toBe(true);
    expect(pending.admit(c)).toBe(false);
    pending.answered(a);
    expect(pending.size).toBe(1);
    b.destroy();
    await new Promise((resolve) => b.once('close', resolve));
    expect(pending.size).toBe(0);
  });

  it('closes a connection whose CONNECT is not answered in time, and counts it', () => {
    const stream = new PassThrough();
    pending.admit(stream);
    jest.advanceTimersByTime(1_000);
    expect(stream.destroyed).toBe(true);
    expect(timeouts).toBe(1);
  });

  // S2 (issue 13): an idle device must not carry a timer or listener of ours for the life of its connection.
  it('keeps nothing on an answered connection: no listener, no deadline', () => {
    const stream = new PassThrough();
    const listeners = stream.listenerCount('close');
    pending.admit(stream);
    pending.answered(stream);
    expect(stream.listenerCount('close')).toBe(listeners);
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(1_000);
    expect(stream.destroyed).toBe(false);
  });

  it('ends every unanswered connection at shutdown', () => {
    const [answered, waiting] = [new PassThrough(), new PassThrough()];
    pending.admit(answered);
    pending.admit(waiting);
    pending.answered(answered);
    pending.destroyAll();
    expect(waiting.destroyed).toBe(true);
    expect(answered.destroyed).toBe(false);
  });
});
