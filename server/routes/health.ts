import { Router } from 'express';
import type { AppContext } from '../app';
import { pingDb } from '../../db/knex';

export type HealthProbe = () => Promise<'ok' | string>;

/** `GET /healthz`: 200 `{status, db, engine}` when both answer, 503 otherwise (API.md). */
export function healthRouter(ctx: AppContext): Router {
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
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', db, engine });
  });
  return router;
}
