import { StatementBatcher } from './statement-batcher';

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe('StatementBatcher', () => {
  it('answers a lone item at once and groups what arrives while a batch runs', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    const batcher = new StatementBatcher<number, number>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) {
          started();
          await new Promise<void>((resolve) => (release = resolve));
        }
        return items.map((i) => i * 10);
      },
      { maxWaitMs: 0, maxBatch: 100 },
    );
    const first = batcher.add(1);
    await firstStarted; // a lone item goes without waiting for company
    const rest = [2, 3, 4].map((i) => batcher.add(i));
    await tick(5);
    expect(batches).toEqual([[1]]);
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('fails only the batch whose statement failed', async () => {
    const batcher = new StatementBatcher<number, number>(
      async (items) => {
        if (items.includes(13)) throw new Error('constraint violated');
        return items;
      },
      { maxWaitMs: 0, maxBatch: 1 },
    );
    const results = await Promise.allSettled([batcher.add(12), batcher.add(13), batcher.add(14)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('never strands an item added while the last batch resolves', async () => {
    const seen: number[] = [];
    const batcher = new StatementBatcher<number, number>(
      async (items) => {
        seen.push(...items);
        return items;
      },
      { maxWaitMs: 0, maxBatch: 10 },
    );
    // Each caller adds the next item the moment its own resolves.
    let chain = batcher.add(0);
    for (let i = 1; i < 50; i++) chain = chain.then(() => batcher.add(i));
    await chain;
    expect(seen).toEqual([...Array(50).keys()]);
  });

  it('holds callers back when full, and close() writes what is queued', async () => {
    const written: number[] = [];
    const batcher = new StatementBatcher<number, void>(
      async (items) => {
        await tick(5);
        written.push(...items);
        return items.map(() => undefined);
      },
      { maxWaitMs: 1000, maxBatch: 2, maxBuffered: 3 },
    );
    const adds = [1, 2, 3, 4, 5].map((i) => batcher.add(i));
    expect(batcher.depth).toBeLessThanOrEqual(3);
    expect(batcher.full).toBe(true);
    await batcher.close();
    await Promise.all(adds);
    expect(written).toEqual([1, 2, 3, 4, 5]);
    expect(batcher.full).toBe(false);
  });

  it('reports each add that had to wait for room, once', async () => {
    let waits = 0;
    const batcher = new StatementBatcher<number, void>(
      async (items) => {
        await tick(5);
        return items.map(() => undefined);
      },
      { maxWaitMs: 0, maxBatch: 1, maxBuffered: 2, onWaitForRoom: () => (waits += 1) },
    );
    await Promise.all([1, 2, 3, 4, 5].map((i) => batcher.add(i)));
    expect(waits).toBe(3);
  });
});

describe('StatementBatcher with a wait', () => {
  it('lets each batch gather for maxWaitMs even while busy, unless it fills up', async () => {
    const sizes: number[] = [];
    const batcher = new StatementBatcher<number, number>(
      async (items) => {
        sizes.push(items.length);
        await tick(2);
        return items;
      },
      { maxWaitMs: 40, maxBatch: 25 },
    );
    const all: Promise<number>[] = [];
    const startedAt = Date.now();
    for (let i = 0; i < 60; i++) {
      all.push(batcher.add(i));
      await tick(1);
    }
    await Promise.all(all);
    // Each batch waits 40 ms from its oldest item: at most one batch per 40 ms, not one per item.
    expect(sizes.length).toBeLessThanOrEqual(Math.ceil((Date.now() - startedAt) / 40) + 1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(60);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(25);
  });

  it('close() does not sit out the wait', async () => {
    const batcher = new StatementBatcher<number, number>(async (items) => items, { maxWaitMs: 60_000, maxBatch: 10 });
    const added = batcher.add(7);
    await batcher.close();
    expect(await added).toBe(7);
  });
});

describe('StatementBatcher isolating failures', () => {
  const refusing13 = (batches: number[][]) => async (items: number[]) => {
    batches.push(items);
    if (items.includes(13)) throw Object.assign(new Error('bad row'), { code: '22023' });
    return items.map((i) => i * 10);
  };

  it('splits a failed batch so only the bad item fails and its neighbours commit', async () => {
    const batches: number[][] = [];
    const batcher = new StatementBatcher<number, number>(refusing13(batches), {
      maxWaitMs: 5,
      maxBatch: 100,
      isolateFailures: (error) => (error as { code?: string }).code === '22023',
    });
    const results = await Promise.allSettled([10, 11, 12, 13, 14, 15, 16].map((i) => batcher.add(i)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'refused'))).toEqual([
      100,
      110,
      120,
      'refused',
      140,
      150,
      160,
    ]);
    expect(batches[0]).toEqual([10, 11, 12, 13, 14, 15, 16]);
  });

  it('fails the whole batch at once for an error that is not about the data (e.g. a lost connection)', async () => {
    const batches: number[][] = [];
    const batcher = new StatementBatcher<number, number>(refusing13(batches), {
      maxWaitMs: 5,
      maxBatch: 100,
      isolateFailures: () => false,
    });
    const results = await Promise.allSettled([12, 13, 14].map((i) => batcher.add(i)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(batches).toHaveLength(1);
  });

  it.each([
    [true, ['batch of 2', 'next turn']],
    [false, ['next turn', 'batch of 2']],
  ])(
    'urgent %s: an urgent batch starts when the current callback ends, ahead of the next loop turn',
    async (urgent, expected) => {
      const order: string[] = [];
      const batcher = new StatementBatcher<number, null>(
        async (items) => {
          order.push(`batch of ${items.length}`);
          return items.map(() => null);
        },
        { maxWaitMs: 0, maxBatch: 10, urgent },
      );
      setImmediate(() => order.push('next turn'));
      // Two added in the same callback still share one statement.
      await Promise.all([batcher.add(1), batcher.add(2)]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(order).toEqual(expected);
    },
  );

  it('with answerChunk, answers a big batch a chunk per loop turn, in order, while the next batch runs', async () => {
    const batches: number[][] = [];
    let releaseSecond: () => void = () => undefined;
    const batcher = new StatementBatcher<number, number>(
      async (items) => {
        batches.push(items);
        if (batches.length === 2) await new Promise<void>((resolve) => (releaseSecond = resolve));
        return items.map((i) => i * 10);
      },
      { maxWaitMs: 0, maxBatch: 100, answerChunk: 2 },
    );
    const answered: number[] = [];
    /** Socket and database replies: what gets a turn between chunks. */
    const turns: string[] = [];
    const first = [1, 2, 3, 4, 5].map((i) =>
      batcher.add(i).then((r) => {
        answered.push(r);
        turns.push(`answer ${r}`);
      }),
    );
    // As an I/O callback would, once the first chunk is out: it runs before the last chunk.
    void first[0]!.then(() => setImmediate(() => turns.push('io')));
    await first[1];
    const second = [6, 7].map((i) => batcher.add(i).then((r) => answered.push(r)));
    await Promise.all(first);
    expect(answered).toEqual([10, 20, 30, 40, 50]);
    expect(turns.indexOf('io')).toBeGreaterThan(turns.indexOf('answer 20'));
    expect(turns.indexOf('io')).toBeLessThan(turns.indexOf('answer 50'));
    // The next batch's statement started without waiting for those answers.
    expect(batches).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7],
    ]);
    releaseSecond();
    await Promise.all(second);
    expect(answered).toEqual([10, 20, 30, 40, 50, 60, 70]);
    await batcher.close();
  });
});
