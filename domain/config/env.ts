/**
 * The one way configuration is read from the environment. Each module owns a zod schema of its
 * variables (server/config.ts, domain/notify/config.ts, domain/fire-lane/config.ts,
 * domain/tasks/user-task-lease.ts, platform/config.ts) and reads it with {@link readEnv};
 * platform/config.ts composes the modules' readers into `loadConfig`, which reports every bad
 * variable of every module at once. Empty strings count as unset, so `FOO=` means the default.
 */
import { z } from 'zod';

/** A module's configuration is invalid; `problems` name each variable, e.g. `PORT="abc": expected a whole number`. */
export class EnvError extends Error {
  constructor(
    readonly problems: string[],
    what = 'configuration',
  ) {
    super(`Invalid ${what}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/** The values of `schema`'s variables in `env`, validated; throws {@link EnvError} naming every bad one. */
export function readEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv, what?: string): z.output<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') input[key] = value;
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new EnvError(
    parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name}=${JSON.stringify(input[name] ?? '')}: ${issue.message}`;
    }),
    what,
  );
}

/** Runs each module's reader and collects every {@link EnvError}'s problems, so one start lists them all. */
export function readAll<T extends Record<string, () => unknown>>(
  readers: T,
): { values: { [K in keyof T]: ReturnType<T[K]> }; problems: string[] } {
  const values = {} as { [K in keyof T]: ReturnType<T[K]> };
  const problems: string[] = [];
  for (const [name, read] of Object.entries(readers) as Array<[keyof T, () => never]>) {
    try {
      values[name] = read();
    } catch (err) {
      if (!(err instanceof EnvError)) throw err;
      problems.push(...err.problems);
    }
  }
  return { values, problems };
}

/** `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`. */
export const envBool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['', '0', '1', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(v), {
    message: 'expected one of 1, 0, true, false, yes, no, on, off',
  })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

/** A TCP port, 0 (pick a free one) to 65535. */
export const envPort = z
  .string()
  .trim()
  .regex(/^\d+$/, 'expected a whole number')
  .transform(Number)
  .refine((n) => n >= 0 && n <= 65535, 'expected a port number from 0 to 65535');
