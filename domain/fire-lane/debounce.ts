/**
 * The dwell threshold (`FIRE_LANE_DWELL_SECONDS`): a car passing through or stopping for a moment is
 * not an offence. A detection without an open case opens one only once the same plate has been seen
 * in the same lane for the threshold; earlier sightings are kept as `pending` device events. Runs
 * inside the device service's transaction, under its plate+lane lock.
 *
 * A stay is the run of pending sightings no further apart than the threshold plus a minute (cameras
 * re-detect every few seconds to a minute); a sighting after a longer gap starts a new stay. With
 * the default 0 every first detection opens a case at once.
 */
import type { Knex } from 'knex';

/** Sightings further apart than dwell + this belong to different stays. */
const STAY_GAP_SLACK_MS = 60_000;

export interface DebounceDecision {
  open: boolean;
  /** The stay's first sighting: the case's detection time. */
  firstSeenAt: Date;
  /** Pending sightings of this stay (they join the case when it opens). */
  pendingIds: string[];
}

export async function fireLaneDebounce(
  trx: Knex,
  input: { laneId: string; plate: string; detectedAt: Date; dwellSeconds: number; excludeId: string },
): Promise<DebounceDecision> {
  if (input.dwellSeconds <= 0) return { open: true, firstSeenAt: input.detectedAt, pendingIds: [] };
  const dwellMs = input.dwellSeconds * 1000;
  const pending: { id: string; detected_at: Date }[] = await trx('device_event')
    .where({ lane_id: input.laneId, plate: input.plate, type: 'fire-lane.occupied', status: 'pending' })
    .whereNot('id', input.excludeId)
    .where('detected_at', '<=', input.detectedAt)
    .orderBy('detected_at', 'desc')
    .select('id', 'detected_at');
  // Walk back from this sighting while the gaps stay within one stay.
  let first = input.detectedAt;
  const ids: string[] = [];
  for (const p of pending) {
    const at = new Date(p.detected_at);
    if (first.getTime() - at.getTime() > dwellMs + STAY_GAP_SLACK_MS) break;
    first = at;
    ids.push(String(p.id));
  }
  return { open: input.detectedAt.getTime() - first.getTime() >= dwellMs, firstSeenAt: first, pendingIds: ids };
}

/** The car left before the threshold: its pending sightings are closed as ignored. */
export async function dropPendingSightings(trx: Knex, laneId: string, plate: string, at: Date): Promise<number> {
  return trx('device_event')
    .where({ lane_id: laneId, plate, type: 'fire-lane.occupied', status: 'pending' })
    .update({ status: 'ignored', processed_at: at });
}
