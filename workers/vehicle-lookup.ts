/**
 * Job worker for `vehicle.lookup` (车牌查车主): plate → owner from the vehicle registry. On the hot
 * path of detection → notice SMS, so a known plate costs one primary-key read and nothing else.
 *
 * Input: `plate`, `caseId`. Output: `vehicleOwner` {name, phone} and `unknownPlate: false`; or, for an
 * unreadable plate or one not in the registry, `vehicleOwner: null`, `unknownPlate: true` and
 * `unknownReason` (`unreadable` | `not-registered`) — the model then sends a property-management
 * task instead of an SMS. Idempotent: an unknown plate is recorded once in the timeline.
 */
import { markUnknownPlate } from '../domain/fire-lane/offences';
import { isReadablePlate, normalizePlate } from '../domain/fire-lane/plates';
import { findVehicle } from '../domain/fire-lane/vehicle-registry';
import { appendCaseEventOnce } from '../domain/cases/timeline';
import { optionalJobCaseId } from './support/case-job';
import { requireString, withOutcome, type ScenarioDeps } from './support/job';

export const taskType = 'vehicle.lookup';

export function createVehicleLookupHandler(deps: ScenarioDeps) {
  return withOutcome(async (job) => {
    const raw = requireString(job.variables.plate, 'plate');
    const caseId = await optionalJobCaseId(deps, job);
    const plate = normalizePlate(raw);
    const readable = isReadablePlate(plate);
    const vehicle = readable ? await findVehicle(deps.db, plate) : undefined;
    if (vehicle)
      return job.complete({
        vehicleOwner: { name: vehicle.ownerName, phone: vehicle.ownerPhone },
        unknownPlate: false,
      });

    const unknownReason = readable ? 'not-registered' : 'unreadable';
    if (caseId) {
      await markUnknownPlate(deps.db, caseId);
      await appendCaseEventOnce(deps.db, caseId, `vehicle.unknown:${plate}`, {
        type: 'vehicle.unknown',
        at: deps.now(),
        data: { plate: raw, reason: unknownReason },
      });
    }
    return job.complete({ vehicleOwner: null, unknownPlate: true, unknownReason });
  });
}
