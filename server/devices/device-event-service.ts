/**
 * POST /api/device-events: a camera reports a car in a fire lane (`fire-lane.occupied`) or the lane
 * free again (`fire-lane.cleared`). Every event is stored (device_event) before anything happens.
 *
 * - occupied, no open fire-lane case for this plate in this lane → a case (channel `device`,
 *   scenario `fire-lane`, lead and collaborators from the catalog's fire-lane situation) and a
 *   `fire-lane` instance (processes/README.md, "Variables contract") → `merged: false`;
 * - occupied while such a case is open → the detection joins it (`detection-merged` in the
 *   timeline, the photo added) → `merged: true`;
 * - cleared → message `fire-lane.cleared`, correlation key = case id, to the open case's instance.
 *
 * Idempotency: a client event id (`eventId`, or the `Idempotency-Key` header) is unique per device;
 * a repeat gets the stored answer and changes nothing. A failed attempt may be retried.
 *
 * Failure handling: the case row is committed, then the engine starts the instance. If that call
 * fails the case is marked `cancelled` with a `process.start-failed` event (not deleted: a repeat
 * detection may already have joined it), the event is `failed`, the notice queued with the case is
 * dropped unsent (`failed`), and the camera gets 503 — its retry opens a fresh case.
 *
 * The owner's notice SMS (registered plate): queued on hold in the case's transaction and handed to
 * the dispatcher as soon as the instance exists — see `occupied`. The model's `notice` task still
 * runs and completes with that message (same idempotency key); it never sends a second one.
 *
 * Fire lane (domain/fire-lane): plates are normalised (`浙B·10001` → `浙B10001`); with a dwell
 * threshold (`FIRE_LANE_DWELL_SECONDS`, default 0) a first sighting is held as `pending` until the car
 * has been seen for that long (answer `{caseId: null, merged: false}`); the lane registry names the
 * lane in the SMS, its compound and the on-site department; the grace period comes from
 * `FIRE_LANE_GRACE` (default PT30M); the case's offence row (repeat counting) is written in the
 * transaction that opens the case.
 */
import { performance } from 'node:perf_hooks';
import type { Zeebe } from '@camunda8/sdk';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { KeyPrincipal } from '../auth/roles';
import { createCase } from '../../domain/cases/case-service';
import { dropPendingSightings, fireLaneDebounce } from '../../domain/fire-lane/debounce';
import { loadFireLaneConfig, type FireLaneConfig } from '../../domain/fire-lane/config';
import { isReadablePlate, normalizePlate } from '../../domain/fire-lane/plates';
import { HttpProblem } from '../http/problem';
import { dispatcherFor } from '../../domain/notify/dispatcher';
import { loadNotifyConfig } from '../../domain/notify/config';
import { maskPhonesInText } from '../../domain/notify/mask';
import { dropHeld, insertSql, lockPhone, prepareSms, type PreparedSms } from '../../domain/notify/outbox';
import {
  addCaseAttachment,
  cancelCase,
  claimDeviceEvent,
  findByClientEventId,
  findOpenFireLaneCase,
  finishDeviceEvent,
  fireLaneContext,
  insertDeviceEvent,
  lockPlateInLane,
  recordFireLaneCase,
  recordFireLaneStarted,
  retakeFailedEvent,
  type DeviceEventRow,
  type NewDeviceEvent,
} from './device-event-queries';
import { appendCaseEvent } from '../../domain/cases/timeline';

export const FIRE_LANE_PROCESS = 'fire-lane';
export const FIRE_LANE_CLEARED_MESSAGE = 'fire-lane.cleared';
/** A `cleared` that arrives while the instance is still at the look-up or the notice waits this long. */
const CLEARED_MESSAGE_TTL_MS = 3600_000;
/** Lead when the catalog has no fire-lane situation (DOMAIN.md: fire brigade or property). */
const DEFAULT_LEAD = 'fire-rescue';

export interface DeviceEventInput {
  deviceId: string;
  type: 'fire-lane.occupied' | 'fire-lane.cleared';
  laneId: string;
  plate: string;
  detectedAt: string;
  imageUrl?: string;
  eventId?: string;
}

export interface DeviceEventAnswer {
  caseId: string | null;
  merged: boolean;
}

export interface DeviceEventDeps {
  db: Knex;
  zbc?: Zeebe.ZeebeGrpcClient;
  log: Logger;
  now?: () => Date;
  /** Dwell threshold and grace period; default: from the environment (domain/fire-lane/config.ts). */
  fireLane?: FireLaneConfig;
  /** The per-phone daily SMS cap for the notice queued with the case; default: `SMS_DAILY_CAP_PER_PHONE`. */
  dailyCapPerPhone?: number;
}

/** The SMS template allows 35 characters for the lane. */
const SMS_LANE_MAX = 35;

function busy(deviceId: string, clientEventId: string | null): HttpProblem {
  return HttpProblem.conflict(
    `Event ${clientEventId} of device ${deviceId} is being processed right now; repeat it in a moment for its answer.`,
  );
}

export class DeviceEventService {
  private readonly fireLane: FireLaneConfig;
  private readonly dailyCapPerPhone: number;
  constructor(private readonly deps: DeviceEventDeps) {
    this.fireLane = deps.fireLane ?? loadFireLaneConfig();
    // The same cap the sms.notify workers apply (only this setting is read here).
    this.dailyCapPerPhone =
      deps.dailyCapPerPhone ??
      loadNotifyConfig({ SMS_DAILY_CAP_PER_PHONE: process.env.SMS_DAILY_CAP_PER_PHONE }).dailyCapPerPhone;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Handles one event; `replayed` when the answer is the stored one of an earlier delivery. */
  async receive(
    key: KeyPrincipal,
    sent: DeviceEventInput,
    idempotencyKey?: string,
  ): Promise<{ answer: DeviceEventAnswer; replayed: boolean }> {
    const input = { ...sent, plate: normalizePlate(sent.plate) || sent.plate.trim() };
    if (key.deviceId && key.deviceId !== input.deviceId) {
      throw HttpProblem.forbidden(
        `This key belongs to device ${key.deviceId}; it cannot post events of device ${input.deviceId}.`,
      );
    }
    if (idempotencyKey !== undefined && input.eventId !== undefined && idempotencyKey !== input.eventId) {
      throw HttpProblem.badRequest(
        'Idempotency-Key and eventId differ; send one id for the event (or the same in both).',
        [{ field: 'eventId', message: 'differs from the Idempotency-Key header' }],
      );
    }
    const clientEventId = idempotencyKey ?? input.eventId ?? null;
    const zbc = this.deps.zbc;
    if (!zbc)
      throw new HttpProblem(
        503,
        'Service Unavailable',
        'The process engine is not connected; the event was not accepted. Retry later.',
      );

    const newEvent: NewDeviceEvent = {
      deviceId: input.deviceId,
      apiKeyId: key.keyId,
      clientEventId,
      type: input.type,
      laneId: input.laneId,
      plate: input.plate,
      detectedAt: new Date(input.detectedAt),
      imageUrl: input.imageUrl ?? null,
      payload: { ...sent },
      receivedAt: this.now(),
    };
    if (input.type === 'fire-lane.occupied') return this.occupied(zbc, newEvent, input);

    const inserted = await insertDeviceEvent(this.deps.db, newEvent);
    let event: DeviceEventRow;
    if (inserted) event = inserted;
    else {
      const earlier = (await findByClientEventId(this.deps.db, input.deviceId, clientEventId!))!;
      if (
        (earlier.status === 'processed' || earlier.status === 'ignored' || earlier.status === 'pending') &&
        earlier.response
      )
        return { answer: earlier.response, replayed: true };
      if (earlier.status === 'failed' && (await retakeFailedEvent(this.deps.db, earlier.id))) event = earlier;
      else throw busy(input.deviceId, clientEventId);
    }
    const answer = await this.cleared(zbc, event, input);
    return { answer, replayed: false };
  }

  /**
   * A car in a fire lane. The critical path, detection → notice handed to the SMS provider, is:
   *
   * 1. one transaction under the plate+lane lock: the device event (idempotency), one read of the
   *    open case + situation + lane + owner, the case (case-service), the rest of the case in one
   *    statement, and — when the owner is registered — the notice queued **on hold** in the outbox
   *    with the key the model's notice task uses (`caseId:notice`);
   * 2. the engine starts the `fire-lane` instance;
   * 3. the notice goes to the dispatcher of this process (`sendNow`: one claim, then the provider)
   *    while one statement marks the case started, answers the device event and releases the hold.
   *
   * The instance still drives the case: its `vehicle.lookup` and `sms.notify` (notice) tasks run as
   * before; `sms.notify` finds the notice under its key and completes with it (or releases it, if
   * step 3 never happened). A process that fails to start sends nothing: the held notice is dropped
   * as `failed` with the case.
   */
  private async occupied(
    zbc: Zeebe.ZeebeGrpcClient,
    newEvent: NewDeviceEvent,
    input: DeviceEventInput,
  ): Promise<{ answer: DeviceEventAnswer; replayed: boolean }> {
    const db = this.deps.db;
    const now = newEvent.receivedAt;
    const t0 = performance.now();
    const photo = input.imageUrl
      ? { url: input.imageUrl, source: 'camera', deviceId: input.deviceId, detectedAt: input.detectedAt }
      : undefined;
    const readable = isReadablePlate(input.plate);

    // One transaction under a lock on plate+lane: two cameras seeing the same car open one case.
    const decision = await db.transaction(async (trx) => {
      await lockPlateInLane(trx, input.laneId, input.plate);
      const claim = await claimDeviceEvent(trx, newEvent);
      if (claim.kind === 'replay') return { kind: 'replay' as const, answer: claim.answer };
      if (claim.kind === 'busy') throw busy(input.deviceId, newEvent.clientEventId);
      const event = claim.event;
      const detection = {
        eventId: event.clientEventId,
        deviceEventId: event.id,
        deviceId: input.deviceId,
        laneId: input.laneId,
        plate: input.plate,
        detectedAt: input.detectedAt,
        imageUrl: input.imageUrl ?? null,
      };
      const { open, situation, lane, vehicle } = await fireLaneContext(
        trx,
        input.laneId,
        input.plate,
        readable ? input.plate : null,
      );
      if (open) {
        await appendCaseEvent(trx, open.id, {
          type: 'detection-merged',
          actor: input.deviceId,
          at: now,
          data: detection,
        });
        if (photo) await addCaseAttachment(trx, open.id, photo);
        const answer = { caseId: open.id, merged: true };
        await finishDeviceEvent(trx, event.id, {
          status: 'processed',
          caseId: open.id,
          merged: true,
          response: answer,
          at: now,
        });
        return { kind: 'done' as const, answer };
      }
      // Dwell threshold: a car seen only briefly does not open a case (yet).
      const stay = await fireLaneDebounce(trx, {
        laneId: input.laneId,
        plate: input.plate,
        detectedAt: new Date(input.detectedAt),
        dwellSeconds: this.fireLane.dwellSeconds,
        excludeId: event.id,
      });
      if (!stay.open) {
        const answer = { caseId: null, merged: false };
        await finishDeviceEvent(trx, event.id, { status: 'pending', response: answer, at: now });
        return { kind: 'done' as const, answer };
      }
      const where = lane ? `${lane.compound} ${lane.name}（车道 ${input.laneId}）` : `车道 ${input.laneId}`;
      const laneName = [...(lane?.name ?? input.laneId)].slice(0, SMS_LANE_MAX).join('');
      // The owner's phone is locked before the case number (lock order plate+lane → phone → case
      // number), so the day-wide case-number lock is held for as few statements as possible.
      const noticeFor = vehicle ? this.prepareNotice(input.plate, laneName, vehicle.ownerPhone) : undefined;
      if (noticeFor) await lockPhone(trx, noticeFor.to);
      const created = await createCase(
        trx,
        {
          description: `消防通道占用：${where}，车牌 ${input.plate}（${input.deviceId} 于 ${input.detectedAt} 拍到）`,
          channel: 'device',
          scenario: FIRE_LANE_PROCESS,
          leadDepartment: situation?.leadDepartment ?? DEFAULT_LEAD,
          externalId: event.clientEventId,
          location: lane ? { address: `${lane.compound} ${lane.name}` } : undefined,
        },
        now,
      );
      const queued = await recordFireLaneCase(trx, {
        caseId: created.id,
        situation,
        attachments: photo ? [photo] : [],
        eventId: event.id,
        actor: input.deviceId,
        at: now,
        detected: { ...detection, firstSeenAt: stay.firstSeenAt.toISOString() },
        offence: {
          plate: input.plate,
          laneId: input.laneId,
          compound: lane?.compound ?? null,
          detectedAt: stay.firstSeenAt,
          receivedAt: now,
        },
        notice: noticeFor ? insertSql(noticeFor(created.id), { hold: true }) : undefined,
      });
      if (stay.pendingIds.length)
        await trx('device_event')
          .whereIn('id', stay.pendingIds)
          .update({ status: 'processed', case_id: created.id, merged: true, processed_at: now });
      const notice = queued?.status === 'queued' ? queued.id : undefined;
      return {
        kind: 'created' as const,
        event,
        created,
        situation,
        lane,
        laneName,
        firstSeenAt: stay.firstSeenAt,
        notice,
      };
    });
    if (decision.kind === 'replay') return { answer: decision.answer, replayed: true };
    if (decision.kind === 'done') return { answer: decision.answer, replayed: false };

    const { event, created, situation, lane, laneName, firstSeenAt, notice } = decision;
    const lead = situation?.leadDepartment ?? DEFAULT_LEAD;
    const t1 = performance.now();
    let processInstanceKey: string;
    try {
      const started = await zbc.createProcessInstance({
        bpmnProcessId: FIRE_LANE_PROCESS,
        variables: {
          caseId: created.id,
          caseNo: created.caseNo,
          plate: input.plate,
          laneId: input.laneId,
          laneName,
          ...(lane ? { compound: lane.compound } : {}),
          // Without onSiteDepartment the model sends fire-rescue on site; a lane may name another (property).
          ...(lane?.onSiteDepartment ? { onSiteDepartment: lane.onSiteDepartment } : {}),
          graceDuration: this.fireLane.grace,
          graceMinutes: this.fireLane.graceMinutes,
          leadDepartment: lead,
          collaborators: situation ? situation.collaborators.filter((d) => d !== lead) : [],
          deviceId: input.deviceId,
          detectedAt: firstSeenAt.toISOString(),
          ...(input.imageUrl ? { imageUrl: input.imageUrl } : {}),
        },
      });
      processInstanceKey = started.processInstanceKey;
    } catch (err) {
      const message = (err as Error).message;
      this.deps.log.error(
        { err, caseId: created.id, deviceEventId: event.id },
        'fire-lane process not started; case cancelled',
      );
      await db.transaction(async (trx) => {
        await cancelCase(trx, created.id, now);
        await appendCaseEvent(trx, created.id, {
          type: 'process.start-failed',
          actor: 'system',
          at: now,
          data: { process: FIRE_LANE_PROCESS, error: message },
        });
        await finishDeviceEvent(trx, event.id, { status: 'failed', caseId: created.id, error: message, at: now });
        if (notice) await dropHeld(trx, notice, 'the fire-lane process did not start; the case was cancelled', now);
      });
      throw new HttpProblem(
        503,
        'Service Unavailable',
        'The fire-lane process could not be started; the event is recorded as failed. Retry with the same eventId.',
      );
    }
    const t2 = performance.now();
    // The instance exists: the notice goes out now, alongside the bookkeeping below (with no
    // dispatcher in this process, the release in that statement makes it due for the next round).
    if (notice)
      dispatcherFor(db)
        ?.sendNow(notice)
        .catch((err: Error) =>
          this.deps.log.warn(
            { err: { message: maskPhonesInText(err.message) }, caseId: created.id },
            'notice hand-over failed; the dispatcher retries it',
          ),
        );
    const answer = { caseId: created.id, merged: false };
    await recordFireLaneStarted(db, {
      caseId: created.id,
      processInstanceKey,
      at: now,
      eventId: event.id,
      answer,
      heldNoticeId: notice ?? null,
      accepted: { department: lead, data: { processInstanceKey, process: FIRE_LANE_PROCESS, auto: true } },
    });
    // Where the time of a new case goes (npm run bench:fire-lane -- --profile collects these).
    if (this.deps.log.isLevelEnabled('debug')) {
      const ms = (a: number, b: number) => Math.round((b - a) * 100) / 100;
      this.deps.log.debug(
        {
          caseId: created.id,
          notice: notice !== undefined,
          caseTxMs: ms(t0, t1),
          engineStartMs: ms(t1, t2),
          finishMs: ms(t2, performance.now()),
        },
        'fire-lane detection timings',
      );
    }
    return { answer, replayed: false };
  }

  /**
   * The notice the model's `notice` task would queue (same template, parameters and key
   * `caseId:notice`), rendered before the case exists. A message the outbox cannot render (an odd
   * lane name, a bad phone in the registry) is left to that task, which raises an incident naming
   * the reason.
   */
  private prepareNotice(
    plate: string,
    laneName: string,
    phone: string,
  ): (((caseId: string) => PreparedSms) & { to: string }) | undefined {
    let prepared: PreparedSms;
    try {
      prepared = prepareSms(
        {
          idempotencyKey: 'pending:notice',
          to: phone,
          template: 'fire-lane.notice',
          params: { plate, lane: laneName, minutes: String(this.fireLane.graceMinutes) },
        },
        { dailyCapPerPhone: this.dailyCapPerPhone, now: () => this.now() },
      );
    } catch {
      return undefined;
    }
    return Object.assign((caseId: string) => ({ ...prepared, key: `${caseId}:notice`, caseId }), { to: prepared.to });
  }

  private async cleared(
    zbc: Zeebe.ZeebeGrpcClient,
    event: DeviceEventRow,
    input: DeviceEventInput,
  ): Promise<DeviceEventAnswer> {
    const db = this.deps.db;
    const now = this.now();
    const open = await findOpenFireLaneCase(db, input.laneId, input.plate);
    if (!open) {
      const answer = { caseId: null, merged: false };
      // The car left before the dwell threshold: its pending sightings never become a case.
      await dropPendingSightings(db, input.laneId, input.plate, now);
      await finishDeviceEvent(db, event.id, { status: 'ignored', response: answer, at: now });
      return answer;
    }
    try {
      await zbc.publishMessage({
        name: FIRE_LANE_CLEARED_MESSAGE,
        correlationKey: open.id,
        messageId: `${open.id}:cleared:${event.id}`,
        timeToLive: CLEARED_MESSAGE_TTL_MS,
        variables: { clearedAt: input.detectedAt, clearedBy: input.deviceId },
      });
    } catch (err) {
      const message = (err as Error).message;
      await finishDeviceEvent(db, event.id, { status: 'failed', caseId: open.id, error: message, at: now });
      throw new HttpProblem(
        503,
        'Service Unavailable',
        'The lane-cleared message could not be delivered; the event is recorded as failed. Retry with the same eventId.',
      );
    }
    const answer = { caseId: open.id, merged: false };
    await db.transaction(async (trx) => {
      await appendCaseEvent(trx, open.id, {
        type: 'lane-cleared',
        actor: input.deviceId,
        at: now,
        data: {
          eventId: event.clientEventId,
          deviceEventId: event.id,
          detectedAt: input.detectedAt,
          imageUrl: input.imageUrl ?? null,
        },
      });
      await finishDeviceEvent(trx, event.id, {
        status: 'processed',
        caseId: open.id,
        merged: false,
        response: answer,
        at: now,
      });
    });
    return answer;
  }
}
