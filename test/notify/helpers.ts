import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { migrateList } from '../../db/migrator';
import * as notifications from '../../db/migrations/20261127020000_notifications';
import * as smsPhoneSealed from '../../db/migrations/20261203210100_sms_phone_sealed';

/**
 * Applies only the notification migrations (the table, and its number sealed at rest): the outbox has no foreign keys, so its tests do not depend
 * on other (in-progress) migrations. test/notify/migration.int.test.ts checks the full list too.
 */
export async function migrateNotifications(db: Knex): Promise<void> {
  await migrateList(
    db,
    { '20261127020000_notifications': notifications, '20261203210100_sms_phone_sealed': smsPhoneSealed },
    'knex_migrations',
  );
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpDouble {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A local HTTP server standing in for a remote API; the handler decides each answer. */
export async function startHttpDouble(
  handler: (
    req: RecordedRequest,
    index: number,
  ) => {
    status: number;
    body?: unknown;
    delayMs?: number;
    /** answer only once this settles */ until?: Promise<unknown>;
  },
): Promise<HttpDouble> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const answer = handler(recorded, requests.length - 1);
      const reply = () => {
        if (res.destroyed) return;
        const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
        res.writeHead(answer.status, {
          'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json',
        });
        res.end(body);
      };
      if (answer.until) void answer.until.then(reply, reply);
      else if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A clock tests move by hand, so back-off never means sleeping. */
export class ManualClock {
  constructor(private t: number) {}
  now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
}
