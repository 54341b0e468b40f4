/**
 * Personal-data settings (docs/security.md, "Personal data (PIPL)"): this module's variables, read
 * with the one env reader and composed into the whole configuration by platform/config.ts.
 *
 * - `PII_MASTER_KEY` (base64 of 32 bytes) or `PII_MASTER_KEY_FILE` (a file holding it): the master
 *   key that wraps the data keys of reporters' and vehicle owners' names and phones. Required with
 *   DATABASE_URL outside demo mode (every process must share it); otherwise, when unset, the key is
 *   kept in `$DATA_DIR/pii-master.key` (made once, mode 0600) — see {@link keyringOf}.
 * - `PII_MASTER_KEYS_OLD`: earlier master keys, comma-separated, still accepted for reading until
 *   `npm run pii:rotate` has re-wrapped every value under the current key.
 * - `RETENTION_*_DAYS`: how long each kind of personal data is kept (0 = keep for ever); see
 *   {@link RetentionRules}.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EnvError, readEnv } from '../config/env';
import { PiiKeyring } from './pii-crypto';

export interface RetentionRules {
  /** Reporter name and phone of a case closed this many days ago are erased (the case stays). */
  reporterContactDays: number;
  /** SMS rows finished this many days ago lose their number and text. */
  smsDays: number;
  /** Camera detections (plates, image references) older than this are deleted. */
  cameraDays: number;
  /** Sessions that expired this many days ago are deleted. */
  sessionDays: number;
  /** Purge reports older than this are deleted (audit and access records are append-only and kept). */
  purgeReportDays: number;
}

export interface PrivacyConfig {
  /** The current master key; undefined when none is configured (allowed in demo mode only). */
  masterKey?: Buffer;
  oldMasterKeys: Buffer[];
  retention: RetentionRules;
}

const key32 = (name: string) => (v: string, ctx: z.RefinementCtx) => {
  const b = Buffer.from(v.trim(), 'base64');
  if (b.length !== 32 || !/^[A-Za-z0-9+/=_-]+$/.test(v.trim()))
    ctx.addIssue({
      code: 'custom',
      message: `expected ${name} as base64 of 32 random bytes (openssl rand -base64 32)`,
    });
};

const days = (dflt: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'expected a whole number of days (0 = keep for ever)')
    .transform(Number)
    .default(dflt);

const schema = z.object({
  PII_MASTER_KEY: z.string().superRefine(key32('a key')).optional(),
  PII_MASTER_KEY_FILE: z.string().trim().optional(),
  PII_MASTER_KEYS_OLD: z
    .string()
    .superRefine((v, ctx) => {
      for (const k of v.split(',').filter((x) => x.trim())) key32('each old key')(k, ctx);
    })
    .optional(),
  RETENTION_REPORTER_CONTACT_DAYS: days(730),
  RETENTION_SMS_DAYS: days(180),
  RETENTION_CAMERA_DAYS: days(90),
  RETENTION_SESSION_DAYS: days(30),
  RETENTION_PURGE_REPORT_DAYS: days(1095),
});

/** Personal-data settings from the environment; throws EnvError naming every bad variable. */
export function loadPrivacyConfig(env: NodeJS.ProcessEnv): PrivacyConfig {
  const e = readEnv(schema, env, 'personal-data configuration');
  let masterKey = e.PII_MASTER_KEY ? Buffer.from(e.PII_MASTER_KEY.trim(), 'base64') : undefined;
  if (!masterKey && e.PII_MASTER_KEY_FILE) {
    let text: string;
    try {
      text = fs.readFileSync(e.PII_MASTER_KEY_FILE, 'utf8').trim();
    } catch (err) {
      throw new EnvError([
        `PII_MASTER_KEY_FILE=${JSON.stringify(e.PII_MASTER_KEY_FILE)}: cannot be read (${(err as Error).message})`,
      ]);
    }
    const b = Buffer.from(text, 'base64');
    if (b.length !== 32)
      throw new EnvError([
        `PII_MASTER_KEY_FILE=${JSON.stringify(e.PII_MASTER_KEY_FILE)}: expected the file to hold base64 of 32 bytes, but it holds ${b.length} bytes`,
      ]);
    masterKey = b;
  }
  return {
    masterKey,
    oldMasterKeys: (e.PII_MASTER_KEYS_OLD ?? '')
      .split(',')
      .filter((x) => x.trim())
      .map((x) => Buffer.from(x.trim(), 'base64')),
    retention: {
      reporterContactDays: e.RETENTION_REPORTER_CONTACT_DAYS,
      smsDays: e.RETENTION_SMS_DAYS,
      cameraDays: e.RETENTION_CAMERA_DAYS,
      sessionDays: e.RETENTION_SESSION_DAYS,
      purgeReportDays: e.RETENTION_PURGE_REPORT_DAYS,
    },
  };
}

/** Where the master key lives when none is configured: next to the embedded database. */
export const LOCAL_KEY_FILE = 'pii-master.key';

/**
 * The keyring of a configuration. A configured master key (PII_MASTER_KEY or PII_MASTER_KEY_FILE)
 * always wins. Without one, a single machine on the embedded database (no DATABASE_URL) and demo
 * mode keep the key in `localKeyFile` (`$DATA_DIR/pii-master.key`, mode 0600): read if it exists,
 * else made once from 32 random bytes — so `npm start` runs on a fresh machine and sealed values
 * survive restarts. Several processes on a PostgreSQL server must share one key, so there a missing
 * key is a configuration error naming the variables (demo mode excepted).
 */
export function keyringOf(
  c: PrivacyConfig,
  opts: { demo: boolean; sharedDatabase: boolean; localKeyFile: string; log: (msg: string) => void },
): PiiKeyring {
  if (c.masterKey) return new PiiKeyring(c.masterKey, c.oldMasterKeys);
  if (opts.sharedDatabase && !opts.demo)
    throw new EnvError([
      'PII_MASTER_KEY="": required with DATABASE_URL outside demo mode — every process must seal personal data with the same key (base64 of 32 random bytes: openssl rand -base64 32), or set PII_MASTER_KEY_FILE',
    ]);
  const file = opts.localKeyFile;
  if (fs.existsSync(file)) {
    const b = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (b.length !== 32)
      throw new EnvError([
        `${file}: expected the local master key file to hold base64 of 32 bytes, but it holds ${b.length} bytes (set PII_MASTER_KEY to the right key, or restore the file from the backup)`,
      ]);
    return new PiiKeyring(b, c.oldMasterKeys);
  }
  const key = crypto.randomBytes(32);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // 'wx': never overwrite a key another process wrote meanwhile
  fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  opts.log(
    `PII_MASTER_KEY is not set: personal data is sealed with a new key kept in ${file} (mode 0600); back it up with the data — without it sealed names and phones cannot be read`,
  );
  return new PiiKeyring(key, c.oldMasterKeys);
}
