// The credentials file: the homes a run provisioned, with their device secrets
// (shown by the platform only once, CONTRACT §3), so later runs reuse them
// with `--credentials` instead of provisioning again.
import fs from 'node:fs/promises';
import path from 'node:path';
import { DEVICE_TYPES, type DeviceType } from '@anxin/contract';
import { z } from 'zod';

const residentSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  orgUnitId: z.string().min(1),
  home: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }),
});

const deviceSchema = z.object({
  id: z.string().min(1),
  type: z.enum(DEVICE_TYPES),
  secret: z.string().min(1),
  residentId: z.string().min(1),
});

/** What arming changed in one care profile: each field's value before and as set, and conditions added. */
const profileUndoSchema = z.object({
  before: z.record(z.string(), z.unknown()),
  applied: z.record(z.string(), z.unknown()),
  addedConditions: z.array(z.string()),
});
export type ProfileUndo = z.infer<typeof profileUndoSchema>;

export const credentialsSchema = z.object({
  version: z.literal(1),
  api: z.string(),
  orgUnitId: z.string().min(1),
  createdAt: z.string(),
  residents: z.array(residentSchema),
  devices: z.array(deviceSchema),
  /**
   * Residents whose care profile a run shortened and has not yet restored
   * (a run that was killed); the next run restores them first.
   */
  armed: z.array(z.string()).optional(),
  /** How to take each armed resident's overrides off again (issue 16: never a wholesale reset). */
  armedProfiles: z.record(z.string(), profileUndoSchema).optional(),
});

export type SimCredentials = z.infer<typeof credentialsSchema>;
export type ResidentCredentials = z.infer<typeof residentSchema>;
export type DeviceCredentials = z.infer<typeof deviceSchema>;

/** One home: a resident and the devices provisioned for them. */
export interface HomeCredentials {
  index: number;
  resident: ResidentCredentials;
  devices: DeviceCredentials[];
}

export class CredentialsFileError extends Error {}

/** Reads a credentials file; null when it does not exist yet. */
export async function loadCredentials(file: string): Promise<SimCredentials | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialsFileError(`${file}: not valid JSON`);
  }
  const parsed = credentialsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CredentialsFileError(`${file}: ${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Writes atomically (temp file + rename) and readable by the owner only: it holds device secrets. */
export async function saveCredentials(file: string, credentials: SimCredentials): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await fs.rename(temp, file);
}

/** Groups devices by resident, in the file's resident order (home index = position). */
export function homesOf(credentials: SimCredentials, count = credentials.residents.length): HomeCredentials[] {
  const byResident = new Map<string, DeviceCredentials[]>();
  for (const device of credentials.devices) {
    const list = byResident.get(device.residentId) ?? [];
    list.push(device);
    byResident.set(device.residentId, list);
  }
  return credentials.residents.slice(0, count).map((resident, index) => ({
    index,
    resident,
    devices: byResident.get(resident.id) ?? [],
  }));
}

export function deviceTypesOf(home: HomeCredentials): DeviceType[] {
  return [...new Set(home.devices.map((d) => d.type))];
}
