// S5 storage: telemetry rows committed per second through the platform path
// (S1's A/B rounds at its max rate, counted in the database) beside what the
// same PostgreSQL takes from a bare client into the same table: multi-row
// INSERT and COPY (pg-copy-streams), one connection, a commit per batch.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SEQ_SPAN } from '../load/bench-device';
import { fmt, fmtSpread, spread } from '../measure/stats';
import { type BenchContext, newResult, type ScenarioResult } from './context';

const COLUMNS = 'device_id, received_at, device_ts, seq, heart_rate, respiration_rate, in_bed, battery, payload';

function rowValues(
  deviceIds: string[],
  i: number,
  tag: number,
): [string, Date, Date, number, number, number, boolean, null, string] {
  const now = new Date();
  const seq = tag * SEQ_SPAN + i;
  const payload = `{"heartRate":${62 + (i % 9)},"respirationRate":${14 + (i % 4)},"inBed":true,"movement":${i % 11},"ts":${now.getTime()},"seq":${seq}}`;
  return [deviceIds[i % deviceIds.length]!, now, now, seq, 62 + (i % 9), 14 + (i % 4), true, null, payload];
}

async function insertFor(client: Client, deviceIds: string[], batch: number, ms: number, tag: number): Promise<number> {
  const placeholders = Array.from(
    { length: batch },
    (_, r) => `(${Array.from({ length: 9 }, (_, c) => `$${r * 9 + c + 1}`).join(', ')})`,
  ).join(', ');
  const sql = `INSERT INTO telemetry (${COLUMNS}) VALUES ${placeholders}`;
  let rows = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  while (performance.now() < deadline) {
    const params: unknown[] = [];
    for (let r = 0; r < batch; r++) params.push(...rowValues(deviceIds, rows + r, tag));
    await client.query(sql, params);
    rows += batch;
  }
  return (rows * 1000) / (performance.now() - started);
}

async function copyFor(client: Client, deviceIds: string[], batch: number, ms: number, tag: number): Promise<number> {
  let rows = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  while (performance.now() < deadline) {
    const lines: string[] = [];
    for (let r = 0; r < batch; r++) {
      const [d, recv, dts, seq, hr, rr, inBed, battery, payload] = rowValues(deviceIds, rows + r, tag);
      lines.push(
        `${d}\t${recv.toISOString()}\t${dts.toISOString()}\t${seq}\t${hr}\t${rr}\t${inBed ? 't' : 'f'}\t${battery ?? '\\N'}\t${payload}\n`,
      );
    }
    await pipeline(Readable.from([lines.join('')]), client.query(copyFrom(`COPY telemetry (${COLUMNS}) FROM STDIN`)));
    rows += batch;
  }
  return (rows * 1000) / (performance.now() - started);
}

export async function runS5(ctx: BenchContext): Promise<ScenarioResult> {
  const result = newResult('S5', 'Telemetry rows committed per second: platform path vs raw INSERT and COPY');
  const { s5 } = ctx.cfg;
  const platformRates = ctx.s1Rounds.map((s) => ((s.committed?.telemetryDistinct ?? 0) * 1000) / s.holdMs);
  const deviceIds = ctx.background.flat().map((d) => d.id);
  const client = new Client({ connectionString: ctx.db.url, application_name: 'anxin-bench-raw' });
  await client.connect();
  const inserts: number[] = [];
  const copies: number[] = [];
  try {
    for (let r = 0; r < s5.rounds; r++) {
      inserts.push(await insertFor(client, deviceIds, s5.insertBatch, s5.holdMs, ctx.nextTag()));
      copies.push(await copyFor(client, deviceIds, s5.copyBatch, s5.holdMs, ctx.nextTag()));
      ctx.log(`  round ${r + 1}: multi-row INSERT ${fmt(inserts[r], 0)} rows/s, COPY ${fmt(copies[r], 0)} rows/s`);
    }
  } finally {
    await client.end();
  }
  const platform = spread(platformRates);
  const insert = spread(inserts);
  const copy = spread(copies);
  const ratio = (raw: number[]) =>
    platform ? spread(raw.map((v) => (platform.median > 0 ? platform.median / v : NaN))) : null;
  result.rows.push({
    scenario: 'S5',
    figure: `telemetry rows committed/s (platform at S1 max ${fmt(ctx.s1Max, 0)} msg/s)`,
    anxin: platform ? `${fmtSpread(platform, 0)} rows/s` : 'n/a (needs S1)',
    peer: `${fmtSpread(insert, 0)} rows/s`,
    peerName: `raw multi-row INSERT (${s5.insertBatch}/stmt)`,
    ratio: ratio(inserts),
    goal: '—',
    verdict: 'reported',
  });
  result.rows.push({
    scenario: 'S5',
    figure: 'same, vs COPY',
    anxin: platform ? `${fmtSpread(platform, 0)} rows/s` : 'n/a (needs S1)',
    peer: `${fmtSpread(copy, 0)} rows/s`,
    peerName: `raw COPY (${s5.copyBatch}/stmt)`,
    ratio: ratio(copies),
    goal: '—',
    verdict: 'reported',
  });
  result.notes.push(
    "The platform figure is what S1 committed at its max sustainable rate (ingest-bound, not storage-bound); raw INSERT/COPY are the storage ceiling on the same server and table (same indexes), from one connection with a commit per statement, without the platform's device_latest upsert.",
  );
  result.details = { platformRowsPerSecond: platformRates, insertRowsPerSecond: inserts, copyRowsPerSecond: copies };
  return result;
}
