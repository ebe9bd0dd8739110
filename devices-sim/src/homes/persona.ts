// A resident's daily routine parameters, drawn once per home from its seeded
// stream: every home differs (jitter), and the same seed gives the same homes.
import { clamp, type Rng } from './rng';

export interface GeoPoint {
  lat: number;
  lon: number;
}

export interface BathroomVisit {
  /** Minute of the day the visit starts. */
  atMin: number;
  lenMin: number;
}

export interface Persona {
  /** Minutes of the day (0–1439). Sleep wraps midnight: asleep when >= sleepMin or < wakeMin. */
  wakeMin: number;
  sleepMin: number;
  walkStartMin: number;
  walkLenMin: number;
  bathroomVisits: BathroomVisit[];
  /** Asleep heart rate; the mattress reports around it (CONTRACT-independent realism: 50–70). */
  restingHr: number;
  awakeHr: number;
  respirationRate: number;
  spo2: number;
  /** Steps per simulated minute when up and about at home, and out walking. */
  stepsPerMinHome: number;
  stepsPerMinWalk: number;
  walkRadiusM: number;
  home: GeoPoint;
}

const DAY_MIN = 1440;

/** Where simulated homes are placed: central Shanghai, where the platform's default time zone is. */
export function randomHomeLocation(rng: Rng): GeoPoint {
  return { lat: round6(rng.range(31.15, 31.32)), lon: round6(rng.range(121.38, 121.55)) };
}

export function createPersona(rng: Rng, home: GeoPoint): Persona {
  const wakeMin = Math.round(clamp(rng.normal(6 * 60, 30), 4 * 60 + 30, 8 * 60));
  const sleepMin = Math.round(clamp(rng.normal(21 * 60 + 30, 40), 20 * 60, 23 * 60 + 30));
  const nightLen = (wakeMin - sleepMin + DAY_MIN) % DAY_MIN;
  const visits: BathroomVisit[] = [];
  const count = rng.int(0, 2);
  for (let i = 0; i < count; i++) {
    // Spread the visits over the middle of the night, never in the first hour or the last half hour.
    const offset = Math.round(rng.range(60, Math.max(61, nightLen - 30)));
    const visit = { atMin: (sleepMin + offset) % DAY_MIN, lenMin: rng.int(4, 12) };
    // Overlapping visits would merge into one longer than a visit may last: keep the first.
    const gap = (a: BathroomVisit, b: BathroomVisit) => (b.atMin - a.atMin + DAY_MIN) % DAY_MIN;
    if (visits.every((v) => gap(v, visit) > v.lenMin && gap(visit, v) > visit.lenMin)) visits.push(visit);
  }
  return {
    wakeMin,
    sleepMin,
    walkStartMin: Math.round(clamp(rng.normal(15 * 60, 60), 9 * 60, 17 * 60)),
    walkLenMin: rng.int(35, 80),
    bathroomVisits: visits,
    restingHr: rng.int(54, 66),
    awakeHr: rng.int(66, 82),
    respirationRate: rng.int(13, 18),
    spo2: rng.int(95, 98),
    stepsPerMinHome: rng.int(6, 18),
    stepsPerMinWalk: rng.int(80, 105),
    walkRadiusM: rng.int(150, 450),
    home,
  };
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Moves a point by metres north and east (small distances; flat-earth is fine). */
export function offsetPoint(from: GeoPoint, northM: number, eastM: number): GeoPoint {
  const lat = from.lat + northM / 111_320;
  const lon = from.lon + eastM / (111_320 * Math.cos((from.lat * Math.PI) / 180));
  return { lat: round6(lat), lon: round6(lon) };
}

/** Great-circle distance in metres (haversine), used to check safe-zone geometry. */
export function distanceM(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}
