// Peer for S6: bare BullMQ on Redis. Jobs are added on a fixed open-loop
// schedule; the latency is from each job's intended add time to the moment a
// worker starts it (the floor of any "alert → job → offer" hop).
import { Queue, Worker } from 'bullmq';
import { Latency } from '../measure/stats';
import { tell } from './peer-protocol';

const [redisUrl = 'redis://127.0.0.1:6379', rateArg = '10', durationArg = '10000'] = process.argv.slice(2);
const rate = Number(rateArg);
const durationMs = Number(durationArg);
const clock = () => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  // A prefix of its own: the machine's Redis is shared, and the keys are removed afterwards.
  const prefix = `anxin-bench-${process.pid}-${Date.now().toString(36)}`;
  const connection = { url: redisUrl };
  const queue = new Queue('pickup', {
    connection,
    prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
  });
  const latency = new Latency();
  let picked = 0;
  const worker = new Worker(
    'pickup',
    async (job) => {
      if (job.name !== 'pickup') return; // warm-up jobs
      latency.record(clock() - (job.data as { intendedAt: number }).intendedAt);
      picked += 1;
    },
    { connection: { ...connection, maxRetriesPerRequest: null }, prefix, concurrency: 20 },
  );
  await worker.waitUntilReady();
  await queue.waitUntilReady();
  await tell({ type: 'ready', port: 0 });
  // Warm-up: the first jobs pay for loading BullMQ's Lua scripts.
  for (let i = 0; i < 20; i++) await queue.add('warm', {});
  await new Promise((r) => setTimeout(r, 500));
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const started = clock();
  let added = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((clock() - started) * rate) / 1000) + 1);
      for (; added < due; added++) void queue.add('pickup', { intendedAt: started + (added * 1000) / rate });
      if (added >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const deadline = clock() + 10_000;
  while (picked < total && clock() < deadline) await new Promise((r) => setTimeout(r, 20));
  await worker.close();
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await tell({ type: 'result', picked, total, latency: latency.encode() });
  process.exit(0);
}

void main();
