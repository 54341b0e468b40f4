/**
 * @packageDocumentation
 * Fire lane (消防通道堵塞治理): vehicle registry, lanes, dwell-threshold debounce, repeat offences and
 * credit flags, figures per lane/compound, settings. The device route (server/devices) opens and joins
 * cases; the workers `vehicle.lookup` and `fire-lane.offence` and the `fire-lane` model do the rest.
 */
export { isoDurationSeconds, loadFireLaneConfig, type FireLaneConfig } from './config';
export { dropPendingSightings, fireLaneDebounce, type DebounceDecision } from './debounce';
export {
  fireLaneCaseTimings,
  fireLaneFigures,
  median,
  type FireLaneCaseTimings,
  type FireLaneFigureRow,
  type FireLaneFigures,
} from './figures';
export { findLane, upsertLanes, type FireLane } from './lanes';
export { assessOffence, findCreditFlag, insertOffence, markUnknownPlate, type OffenceAssessment } from './offences';
export { isReadablePlate, normalizePlate } from './plates';
export {
  findVehicle,
  formatImportErrors,
  importVehicleCsv,
  parseVehicleCsv,
  upsertVehicles,
  type ImportError,
  type VehicleRecord,
} from './vehicle-registry';
