import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { maskPhonesInText } from '../../domain/notify/mask';

/** Incoming ids are kept when they look like ids (a proxy's or a client's); anything else is replaced. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Request ids and request logging: `X-Request-Id` is taken from the request (when sane) or made
 * up, echoed on the response, and every log line of the request carries it (`req.log` is a pino
 * child logger with `reqId`). Logged are method, path, status and time — never cookies,
 * Authorization or Set-Cookie, and phone numbers in query strings are masked.
 */
export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // req.log lines carry just `reqId` (not the whole request each time); the completion line has req too.
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'reqId' },
    // Load balancers and Prometheus poll these; a line per poll would drown the useful ones.
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    serializers: {
      req: (req: any) => ({
        id: req.id,
        method: req.method,
        url: maskPhonesInText(String(req.url)),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: any) => ({ statusCode: res.statusCode }),
    },
  }) as unknown as RequestHandler;
}
