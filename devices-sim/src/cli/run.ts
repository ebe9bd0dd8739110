// One simulator run, phase by phase:
//   prepare homes → watch /console → arm scenario homes → connect devices →
//   inject incidents for --duration → grace for late alerts → drain PUBACKs →
//   take the shortened rules off → disconnect → match and report.
import { type Clock, sleep, systemClock } from '../clock';
import { AlertDispatcher } from '../fleet/alert-dispatcher';
import { FaultCommands } from '../fleet/fault-commands';
import { Fleet } from '../fleet/fleet';
import { IncidentRunner } from '../fleet/incident-runner';
import { createRng } from '../homes/rng';
import { ConsoleUnavailableError, ConsoleWatcher } from '../matching/console-watcher';
import { matchAlerts } from '../matching/matcher';
import { resolveStaleAlerts } from '../matching/stale-alerts';
import { SimApiClient } from '../provisioning/api-client';
import { buildReport, exitCodeFor, type SimReport, writeReport } from '../report/report';
import { PlatformWatch } from '../report/platform-watch';
import type { Progress } from '../report/progress';
import { renderSummary } from '../report/summary-table';
import { planArming } from '../scenarios/arming-plan';
import { assignScenarios, limitIncidents, scheduleIncidents } from '../scenarios/plan';
import { ArmedProfiles, armAfterActivity, armBeforeConnect, disarm, splitArming } from './arming-phase';
import type { SimOptions } from './options';
import { prepareHomes } from './prepare';

/** Routine and arming settle before the first incident. */
const WARMUP_MS = 3_000;
/** How long the last QoS 1 messages may take to be acknowledged before they count as lost. */
const DRAIN_MS = 5_000;
/** How long a fault command still running at the end may take before it is killed (and counts as failed). */
const FAULT_SETTLE_MS = 30_000;

export interface RunIo {
  progress: Progress;
  out(text: string): void;
  /** Resolves when the user asks to stop early (Ctrl-C): the run skips to its report. */
  interrupted: Promise<void>;
}

export async function runSimulation(opts: SimOptions, io: RunIo, clock: Clock = systemClock): Promise<SimReport> {
  const log = (line: string) => io.progress.log(line);
  const problems: string[] = [];
  const problem = (line: string) => {
    problems.push(line);
    log(`warning: ${line}`);
  };
  let stop = false;
  void io.interrupted.then(() => {
    stop = true;
    log('stopping early: finishing the run and writing the report');
  });

  log(
    `scenario ${opts.scenario}, ${opts.homes} homes, ${opts.durationSeconds} s + ${opts.graceSeconds} s grace, seed ${opts.seed}`,
  );
  const api = new SimApiClient(opts.api);
  // Homes are provisioned for their catalogue scenario (its devices), whether or not they play it this run.
  const catalogue = assignScenarios(opts.scenario, opts.homes);
  const assigned = limitIncidents(catalogue, opts.incidents ?? null, createRng(opts.seed).fork('incident-homes'));
  const prepared = await prepareHomes(api, opts, catalogue, clock, log);
  const residentIds = new Set(prepared.homes.map((h) => h.resident.id));

  // Watch before anything moves, so no alert of this run can slip past.
  const watcher = new ConsoleWatcher(opts.api, () => api.accessToken, clock, log);
  try {
    const snapshot = await watcher.start();
    const stale = await resolveStaleAlerts(api, snapshot, residentIds, prepared.login.user.id);
    if (stale.resolved > 0) log(`resolved ${stale.resolved} alerts left open for these homes by earlier runs`);
    if (stale.handledByOthers > 0)
      log(`left ${stale.handledByOthers} alerts of these homes open: someone else is handling them`);
    for (const f of stale.failed.slice(0, 3)) problem(`could not resolve stale alert ${f}`);
  } catch (error) {
    if (!(error instanceof ConsoleUnavailableError)) throw error;
    problem(`${error.message}; alerts cannot be matched, every expected alert will count as missed`);
  }

  const split = splitArming(
    planArming(prepared.homes, assigned, {
      nowMs: Date.now(),
      runSeconds: opts.durationSeconds + opts.graceSeconds + 120,
      timeZone: opts.timeZone,
    }),
  );
  const arms = [...split.beforeConnect, ...split.afterActivity];
  const armed = new ArmedProfiles(prepared);
  await armBeforeConnect(api, prepared, split, armed);

  const fleet = new Fleet(
    prepared.homes,
    assigned,
    {
      broker: opts.mqtt,
      seed: opts.seed,
      rate: opts.rate,
      daySeconds: opts.daySeconds,
      telemetryQos: opts.telemetryQos,
      keepaliveSeconds: opts.keepaliveSeconds,
      connectConcurrency: opts.connectConcurrency,
    },
    clock,
  );
  const connectStarted = clock();
  const connected = await fleet.connectAll();
  log(
    `connected ${connected.connected}/${fleet.deviceCount} devices to ${opts.mqttUrl} ` +
      `in ${((clock() - connectStarted) / 1000).toFixed(1)} s`,
  );
  if (connected.refused + connected.failed > 0) {
    problem(
      `${connected.refused} devices refused, ${connected.failed} could not connect: ${connected.problems.join('; ')}`,
    );
  }
  if (connected.connected === 0) {
    watcher.close();
    await disarm(api, prepared, arms, armed).catch(() => undefined);
    throw new Error(`no device could connect to ${opts.mqttUrl}: ${connected.problems[0] ?? 'unknown reason'}`);
  }
  // RSS and event-loop delay from GET /metrics while the devices run, if this platform lets us read it.
  const platformWatch = new PlatformWatch(opts.api);
  platformWatch.start();
  fleet.start();
  const runStart = clock();
  const runEnd = runStart + opts.durationSeconds * 1000;
  const graceEnd = runEnd + opts.graceSeconds * 1000;
  await armAfterActivity(api, fleet.homes, split.afterActivity, armed, clock);

  const dispatcher = new AlertDispatcher(api, log);
  watcher.onObservation = (obs) => dispatcher.observe(obs);
  const faults = opts.faultCommand
    ? new FaultCommands({ fault: opts.faultCommand, recover: opts.faultRecoverCommand }, clock, log)
    : null;
  const runner = new IncidentRunner(clock, log, dispatcher, faults);
  const phaseStart = Math.max(clock(), runStart + WARMUP_MS);
  const phaseSeconds = Math.max(1, (runEnd - phaseStart) / 1000);
  const slots = scheduleIncidents(assigned, phaseSeconds, createRng(opts.seed).fork('schedule'));
  const truncated = [...new Set(slots.filter((s) => s.truncated).map((s) => s.scenario.name))];
  if (truncated.length > 0) {
    problem(
      `--duration ${opts.durationSeconds} is too short for ${truncated.join(', ')} to play out; the grace period has to cover it`,
    );
  }
  runner.schedule(slots, fleet.homes, phaseStart);
  const expectedTotal = slots.length;

  const ticker = setInterval(
    () => {
      const now = clock();
      const s = fleet.stats;
      io.progress.update({
        phase: now < runEnd ? 'run' : 'grace',
        elapsedSeconds: (now - runStart) / 1000,
        totalSeconds: opts.durationSeconds + opts.graceSeconds,
        messagesSent: s.messagesSent,
        pubacks: s.counters.pubacks,
        incidentsStarted: runner.injected().length,
        incidentsTotal: expectedTotal,
        alertsSeen: watcher.observations.filter((o) => o.event === 'raised' && residentIds.has(o.alert.residentId))
          .length,
      });
    },
    io.progress.isTty ? 250 : 1_000,
  );
  await waitUntil(runEnd, clock, () => stop);
  runner.cancelPending();
  // Devices keep their routine through the grace period: going quiet now would itself raise alerts.
  await waitUntil(graceEnd, clock, () => stop);
  clearInterval(ticker);
  io.progress.done();

  fleet.stopPublishing();
  const publishingSeconds = (clock() - runStart) / 1000;
  const lost = await fleet.drain(DRAIN_MS);
  // Counted now, with `lost`: PUBACKs still arriving while the profiles are restored are not part of the run
  // (counted later, they contradicted "never acknowledged"), nor are the final offline statuses.
  const counters = { ...fleet.stats.counters, refused: { ...fleet.stats.counters.refused } };
  const pubackLatencyMs = fleet.stats.pubackLatency.summary();
  const observedUntil = clock();
  watcher.close();
  const platform = await platformWatch.stop();
  try {
    await disarm(api, prepared, arms, armed);
  } catch (error) {
    problem(
      `could not take the shortened rules off (the next run with these credentials will): ${(error as Error).message}`,
    );
  }
  await fleet.shutdown();

  await faults?.settle(FAULT_SETTLE_MS);
  if (faults && !faults.allSucceeded) problem('a fault command failed: the fault scenario proved nothing');

  const injected = runner.injected();
  const scenarioOf = new Map(prepared.homes.map((h) => [h.resident.id, assigned[h.index]?.name ?? 'routine']));
  const match = matchAlerts(injected, watcher.observations, {
    residentIds,
    scenarioOf: (id) => scenarioOf.get(id) ?? 'routine',
    matchTimeoutMs: Math.max(30_000, opts.graceSeconds * 1000),
  });
  const messagesSent = counters.qos0Sent + counters.qos1Sent;
  const report = buildReport({
    scenario: opts.scenario,
    seed: opts.seed,
    startedAt: runStart,
    durationSeconds: opts.durationSeconds,
    graceSeconds: opts.graceSeconds,
    homes: prepared.homes.length,
    devices: fleet.deviceCount,
    lookalikes: injected.filter((i) => i.expect === null),
    match,
    observedUntil,
    transport: {
      ...counters,
      devicesConnected: connected.connected,
      rate: opts.rate,
      telemetryQos: opts.telemetryQos,
      lost,
      messagesPerSecond: messagesSent / Math.max(1, publishingSeconds),
      pubackLatencyMs,
      lateSlots: fleet.lateSlots,
    },
    consoleDisconnects: watcher.disconnects,
    platform,
    faults: faults?.runs,
    problems,
  });
  if (opts.report) await writeReport(opts.report, report);
  io.out(renderSummary(report));
  if (opts.report) io.out(`report written to ${opts.report}`);
  if (lost > 0)
    io.out(`WARNING: ${lost} QoS 1 messages were never acknowledged (the broker or platform lost or dropped them)`);
  io.out(
    exitCodeFor(report) === 0
      ? 'PASS: no missed and no false alerts'
      : 'FAIL: missed or false alerts, or a failed fault command (see above)',
  );
  return report;
}

async function waitUntil(deadline: number, clock: Clock, cancelled: () => boolean): Promise<void> {
  while (!cancelled() && clock() < deadline) await sleep(Math.min(200, deadline - clock()));
}
