import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { CareProfile } from '@anxin/contract';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DATABASE_LANES, type DatabaseLanes } from '../database/database-lanes';
import { isDataError } from '../database/pg-errors.util';
import { IngestService } from '../ingest/ingest.service';
import type { IngestedDevice } from '../ingest/ingest.signals';
import { RepeatedLog } from '../logging/repeated-log';
import { PlatformMetrics } from '../metrics/metrics';
import { type RaiseParams, raiseParams } from './alerts.repository';
import { AlertsService } from './alerts.service';
import { recordActivity, type ResidentSeen } from './resident-activity.repository';
import { loadVitalsStates, saveVitalsStates } from './rule-state.repository';
import { type RuleSettings, ruleSettingsFor } from './rules/rule-settings';
import { distanceMetres, isOutsideSafeZone } from './rules/safe-zone';
import { type VitalsState, VitalsTracker } from './rules/vitals-tracker';
import { type DeviceReadings, TelemetryIntake } from './telemetry-intake';

/** How long the first waiting reading waits for company before a batch starts. */
const BATCH_WAIT_MS = 50;
/** This many waiting readings start a batch at once. */
const BATCH_START_READINGS = 2_000;
/** After a failed batch: the database is down or overloaded, so the next one waits longer. */
const FAILED_BATCH_PAUSE_MS = 1_000;
const SETTINGS_TTL_MS = 10_000;
/** Findings of failed batches kept for the next one, at most. */
const MAX_UNRAISED = 1_000;

/** The fields of a reading the telemetry rules use; the rest of the message is not kept. */
interface RuleReading {
  at: Date;
  inBed: boolean | null;
  heartRate: number | null;
  respirationRate: number | null;
  lat: number | null;
  lon: number | null;
  steps: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** Null when no telemetry rule looks at this reading (other device types, battery-only reports). */
function ruleReadingOf(device: IngestedDevice, m: Record<string, unknown>, at: Date): RuleReading | null {
  const r: RuleReading = {
    at,
    inBed: typeof m.inBed === 'boolean' ? m.inBed : null,
    heartRate: num(m.heartRate),
    respirationRate: num(m.respirationRate),
    lat: num(m.lat),
    lon: num(m.lon),
    steps: num(m.steps),
  };
  if (device.type === 'mattress')
    return r.inBed === null && r.heartRate === null && r.respirationRate === null ? null : r;
  if (device.type === 'wearable') return (r.lat === null || r.lon === null) && r.steps === null ? null : r;
  return null;
}

/**
 * Telemetry rules (sustained vitals, safe zone, steps as activity) on the
 * process the device is connected to. Ingest only queues a reading here; a
 * single worker takes the queue in batches, loads the care settings it lacks
 * in one query and raises what the batch found in one transaction, all on the
 * telemetryRules lane's own connections (issue 13): when the database is slow
 * the rules fall behind and shed readings, counted, while ingest and
 * life-safety alerts keep their connections.
 */
@Injectable()
export class TelemetryRulesService implements OnModuleInit, OnApplicationShutdown {
  private readonly intake: TelemetryIntake<IngestedDevice, RuleReading>;
  /** Per mattress: its tracker, loaded from device_rule_state for the connection it was built for. */
  private readonly vitals = new Map<string, { tracker: VitalsTracker; connectedAt: number | undefined }>();
  /** Changed windows not yet written (a failed batch passes them on). */
  private unsavedVitals = new Map<string, VitalsState>();
  private readonly lastSteps = new Map<string, number>();
  private readonly settings = new Map<string, { settings: RuleSettings; expiresAt: number }>();
  /** Findings and steps activity not yet committed: their readings were acknowledged, so a failed batch passes them on. */
  private unraised: RaiseParams[] = [];
  private readonly activity = new Map<string, Date>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastBatchFailed = false;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(DATABASE_LANES) private readonly lanes: DatabaseLanes,
    private readonly ingest: IngestService,
    private readonly alerts: AlertsService,
    private readonly metrics: PlatformMetrics,
    private readonly failures: RepeatedLog,
  ) {
    this.intake = new TelemetryIntake(config.alerts.ruleIntakeMax);
  }

  onModuleInit(): void {
    this.ingest.signals.on('telemetryStored', (device, message, at) => this.offer(device, message, at));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    // Ingest has stopped: one last batch for what it acknowledged.
    await this.runBatch();
  }

  /** Called by ingest for every reading: constant work, no I/O, never waits. */
  private offer(device: IngestedDevice, message: Record<string, unknown>, at: Date): void {
    if (this.stopped) return;
    const reading = ruleReadingOf(device, message, at);
    if (!reading) return;
    if (!this.intake.offer(device, reading)) this.metrics.ruleReadingsShed.inc();
    this.metrics.ruleIntakeDepth.set(this.intake.depth);
    this.schedule();
  }

  /** At most one batch in flight; the next is scheduled when it ends. */
  private schedule(): void {
    if (this.stopped || this.running) return;
    if (this.intake.depth >= BATCH_START_READINGS && !this.lastBatchFailed) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.start();
    } else if (!this.timer) {
      this.timer = setTimeout(
        () => {
          this.timer = null;
          this.start();
        },
        this.lastBatchFailed ? FAILED_BATCH_PAUSE_MS : BATCH_WAIT_MS,
      );
      this.timer.unref();
    }
  }

  private start(): void {
    this.running = this.runBatch().then((ok) => {
      this.running = null;
      this.lastBatchFailed = !ok;
      if (this.intake.depth > 0 || this.unraised.length > 0 || this.activity.size > 0) this.schedule();
    });
  }

  /** One batch; never throws. Answers false when it failed (the work waits for the next one). */
  private async runBatch(): Promise<boolean> {
    const batch = this.intake.takeAll();
    this.metrics.ruleIntakeDepth.set(this.intake.depth);
    let settings: Map<string, RuleSettings>;
    try {
      settings = await this.settingsOf(batch.map((d) => d.device.residentId));
      await this.loadVitals(batch.map((d) => d.device));
    } catch (error) {
      this.metrics.ruleReadingsShed.inc(this.intake.putBack(batch));
      this.metrics.ruleIntakeDepth.set(this.intake.depth);
      this.failures.error(
        'telemetry-rules',
        { err: error },
        'telemetry rules failed; the readings wait for the next batch',
      );
      return false;
    }
    const raises = this.unraised;
    this.unraised = [];
    for (const d of batch) this.observe(d, settings.get(d.device.residentId)!, raises);
    const activity: ResidentSeen[] = [...this.activity].map(([residentId, at]) => ({ residentId, at }));
    this.activity.clear();
    const vitals = this.unsavedVitals;
    this.unsavedVitals = new Map();
    try {
      await this.commit(raises, activity, vitals);
      return true;
    } catch (error) {
      if (isDataError(error)) {
        this.failures.error(
          'telemetry-rules-data',
          { err: error },
          'telemetry rules: a finding was refused; it is dropped',
        );
        return true;
      }
      this.unraised = raises.slice(-MAX_UNRAISED);
      for (const a of activity) this.noteActivity(a.residentId, a.at);
      for (const [deviceId, state] of vitals)
        if (!this.unsavedVitals.has(deviceId)) this.unsavedVitals.set(deviceId, state);
      this.failures.error(
        'telemetry-rules',
        { err: error },
        'telemetry rules failed; the findings wait for the next batch',
      );
      return false;
    }
  }

  /** The care settings of these residents: cached ones, the rest in one query. */
  private async settingsOf(residentIds: string[]): Promise<Map<string, RuleSettings>> {
    const now = Date.now();
    const found = new Map<string, RuleSettings>();
    const missing = new Set<string>();
    for (const id of residentIds) {
      const cached = this.settings.get(id);
      if (cached && cached.expiresAt > now) found.set(id, cached.settings);
      else missing.add(id);
    }
    if (missing.size === 0) return found;
    const rows = await this.lanes.telemetryRules.query<{ id: string; careProfile: CareProfile }[]>(
      `SELECT id, care_profile AS "careProfile" FROM residents WHERE id = ANY($1::uuid[])`,
      [[...missing]],
    );
    const profiles = new Map(rows.map((r) => [r.id, r.careProfile]));
    for (const id of missing) {
      const settings = ruleSettingsFor(profiles.get(id));
      this.settings.set(id, { settings, expiresAt: now + SETTINGS_TTL_MS });
      found.set(id, settings);
    }
    return found;
  }

  /**
   * The stored windows of mattresses this process has no tracker for, or one built for an earlier
   * connection (the device was elsewhere meanwhile, issue 14): one query per batch.
   */
  private async loadVitals(devices: IngestedDevice[]): Promise<void> {
    const stale = devices.filter(
      (d) => d.type === 'mattress' && this.vitals.get(d.id)?.connectedAt !== d.connectedAt?.getTime(),
    );
    const stored = await loadVitalsStates(
      this.lanes.telemetryRules,
      stale.map((d) => d.id),
    );
    for (const d of stale)
      this.vitals.set(d.id, { tracker: new VitalsTracker(stored.get(d.id)), connectedAt: d.connectedAt?.getTime() });
  }

  /** Runs one device's readings through its rules, in order; findings go to `raises`. */
  private observe(
    { device, readings }: DeviceReadings<IngestedDevice, RuleReading>,
    s: RuleSettings,
    raises: RaiseParams[],
  ) {
    const source = { residentId: device.residentId, orgUnitId: device.orgUnitId, deviceId: device.id, eventId: null };
    if (device.type === 'mattress') {
      const { tracker } = this.vitals.get(device.id)!; // loaded by loadVitals
      const before = JSON.stringify(tracker.state);
      for (const r of readings) {
        for (const f of tracker.observe(r, s)) {
          raises.push(raiseParams(source, f.kind, f.severity, { ...f.readings, since: f.since.toISOString() }, r.at));
        }
      }
      const after = tracker.state;
      if (JSON.stringify(after) !== before) this.unsavedVitals.set(device.id, after);
      return;
    }
    let outside: RuleReading | null = null;
    for (const r of readings) {
      if (s.safeZone && r.lat !== null && r.lon !== null && isOutsideSafeZone({ lat: r.lat, lon: r.lon }, s.safeZone))
        outside = r;
      if (r.steps === null) continue;
      const previous = this.lastSteps.get(device.id);
      this.lastSteps.set(device.id, r.steps);
      if (previous !== undefined && r.steps > previous) this.noteActivity(device.residentId, r.at);
    }
    // One raise per device per batch: further readings outside the zone would only add occurrences.
    if (outside && s.safeZone)
      raises.push(
        raiseParams(
          source,
          'left_safe_zone',
          'high',
          {
            lat: outside.lat,
            lon: outside.lon,
            distanceM: Math.round(distanceMetres({ lat: outside.lat!, lon: outside.lon! }, s.safeZone)),
            safeZone: s.safeZone,
          },
          outside.at,
        ),
      );
  }

  private noteActivity(residentId: string, at: Date): void {
    const known = this.activity.get(residentId);
    if (!known || known < at) this.activity.set(residentId, at);
  }

  /**
   * One transaction for the batch (one connection of the lane). A finding the
   * database refuses (its resident deleted meanwhile) is retried alone, so it
   * does not take the rest of the batch with it.
   */
  private async commit(
    raises: RaiseParams[],
    activity: ResidentSeen[],
    vitals: Map<string, VitalsState>,
  ): Promise<void> {
    if (raises.length === 0 && activity.length === 0 && vitals.size === 0) return;
    try {
      await this.commitTogether(raises, activity, vitals);
    } catch (error) {
      if (!isDataError(error) || raises.length + activity.length <= 1) throw error;
      const none = new Map<string, VitalsState>();
      const alone: [RaiseParams[], ResidentSeen[], Map<string, VitalsState>][] = [
        [[], [], vitals],
        ...raises.map((r): [RaiseParams[], ResidentSeen[], Map<string, VitalsState>] => [[r], [], none]),
        ...activity.map((a): [RaiseParams[], ResidentSeen[], Map<string, VitalsState>] => [[], [a], none]),
      ];
      let refused: Error | null = null;
      for (const [r, a, v] of alone) {
        try {
          await this.commitTogether(r, a, v);
        } catch (e) {
          if (!isDataError(e)) throw e;
          refused = e as Error;
        }
      }
      if (refused) throw refused;
    }
  }

  private async commitTogether(
    raises: RaiseParams[],
    activity: ResidentSeen[],
    vitals: Map<string, VitalsState>,
  ): Promise<void> {
    const results = await this.lanes.telemetryRules.transaction(async (manager) => {
      const raised = await this.alerts.raiseMany(manager, raises);
      await recordActivity(manager, activity);
      await saveVitalsStates(manager, vitals);
      return raised;
    });
    for (const result of results) this.alerts.announce(result);
  }
}
