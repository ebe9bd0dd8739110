/**
 * A `geo:` URI the phone's map app opens (issue 16; no online tiles in the app): the home's coordinates
 * when known, else a search for the address. Null when there is neither.
 */
export function mapLink(resident: { address: string | null; lat?: number | null; lon?: number | null }): string | null {
  if (typeof resident.lat === 'number' && typeof resident.lon === 'number')
    return `geo:${resident.lat},${resident.lon}`;
  if (resident.address?.trim()) return `geo:0,0?q=${encodeURIComponent(resident.address.trim())}`;
  return null;
}
