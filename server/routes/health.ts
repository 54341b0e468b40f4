import { Router } from 'express';
import type { AppContext } from '../app';
import { pingDb } from '../../db/knex';
import type { CalendarService } from '../../domain/sla/calendar-service';
import { pendingStartBacklog } from '../../domain/cases/pending-start';

export type HealthProbe = () => Promise<'ok' | string>;

/**
 * `GET /healthz`: 200 `{status, db, engine, details}` when db and engine answer, 503 otherwise
 * (API.md). `details.calendar` says whether working time is counted on plain weekdays somewhere
 * (`status: 'fallback'`, years without holiday data): a warning for operators, never a 503.
 * `details.intake.pendingStarts` counts filed cases whose process has not started yet (engine down).
 */
export function healthRouter(ctx: AppContext & { calendar?: CalendarService }): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const [db, engine] = await Promise.all([
      pingDb(ctx.db).then(
        () => 'ok',
        (e: Error) => `error: ${e.message}`,
      ),
      ctx.engineHealth().catch((e: Error) => `error: ${e.message}`),
    ]);
    const ok = db === 'ok' && engine === 'ok';
    // The stored years, when this app's platform has not loaded them yet (tests); never fails the probe.
    if (ctx.calendar && db === 'ok') await ctx.calendar.ensureLoaded().catch(() => undefined);
    // Reports filed while their process has not started yet (docs/intake.md): a warning, never a 503.
    const intake = db === 'ok' ? await pendingStartBacklog(ctx.db).catch(() => undefined) : undefined;
    const details = {
      ...(ctx.calendar ? { calendar: ctx.calendar.health() } : {}),
      ...(intake
        ? { intake: { pendingStarts: intake.pending, oldestSince: intake.oldestSince, lastError: intake.lastError } }
        : {}),
    };
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', db, engine, details });
  });
  return router;
}
