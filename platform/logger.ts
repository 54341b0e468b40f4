import pino, { type Logger } from 'pino';

/** Structured logs: pretty in a terminal, JSON lines otherwise (files, containers, CI). */
export function createLogger(level: string = process.env.LOG_LEVEL || 'info', name = 'onematter'): Logger {
  const pretty = process.stdout.isTTY && process.env.NODE_ENV !== 'test';
  return pino({
    name,
    level,
    redact: {
      paths: ['*.password', '*.phone', 'req.headers.authorization', 'req.headers.cookie'],
      censor: '[redacted]',
    },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  });
}
export type { Logger };
