// Turns each home's scenario into the overrides to apply while the run is live.
import type { HomeCredentials } from '../provisioning/credentials';
import type { HomeArming } from '../provisioning/arming';
import type { ScenarioDef } from './scenario';

export interface ArmingContext {
  nowMs: number;
  runSeconds: number;
  timeZone: string;
}

/** Only homes whose scenario shortens a rule or a heartbeat; all others keep normal profiles. */
export function planArming(
  homes: readonly HomeCredentials[],
  assigned: readonly (ScenarioDef | null)[],
  ctx: ArmingContext,
): HomeArming[] {
  const arms: HomeArming[] = [];
  for (const home of homes) {
    const def = assigned[home.index];
    if (!def || (!def.profile && !def.heartbeatSeconds)) continue;
    const careProfile = def.profile
      ? def.profile({ home: home.resident.home, nowMs: ctx.nowMs, runSeconds: ctx.runSeconds, timeZone: ctx.timeZone })
      : null;
    const heartbeats = Object.entries(def.heartbeatSeconds ?? {}).flatMap(([type, seconds]) =>
      home.devices.filter((d) => d.type === type).map((d) => ({ deviceId: d.id, seconds: seconds })),
    );
    arms.push({ residentId: home.resident.id, careProfile, heartbeats });
  }
  return arms;
}
