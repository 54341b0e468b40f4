import { z } from 'zod';
import { EnvError, readEnv } from '../config/env';

/**
 * Notification settings: this module's variables, read with the one env reader
 * (domain/config/env.ts) and composed into the whole configuration by platform/config.ts.
 */
export interface NotifyConfig {
  provider: 'outbox' | 'webhook' | 'aliyun' | 'tencent';
  webhookUrl?: string;
  webhookTimeoutMs: number;
  dailyCapPerPhone: number;
  maxPermanentAttempts: number;
  pollIntervalMs: number;
  aliyun?: {
    accessKeyId: string;
    accessKeySecret: string;
    signName?: string;
    templateCodes: Record<string, string>;
    endpoint?: string;
    regionId?: string;
  };
  tencent?: {
    secretId: string;
    secretKey: string;
    sdkAppId: string;
    signName?: string;
    templateIds: Record<string, string>;
    endpoint?: string;
    region?: string;
  };
}

const int = (min: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .refine((n) => n >= min, `expected at least ${min}`);

const schema = z.object({
  SMS_PROVIDER: z.enum(['outbox', 'webhook', 'aliyun', 'tencent']).default('outbox'),
  SMS_WEBHOOK_URL: z.url().optional(),
  SMS_WEBHOOK_TIMEOUT_MS: int(1).default(5000),
  SMS_DAILY_CAP_PER_PHONE: int(1).default(10),
  SMS_MAX_PERMANENT_ATTEMPTS: int(1).default(3),
  SMS_POLL_INTERVAL_MS: int(10).default(5000),
  ALIYUN_SMS_ACCESS_KEY_ID: z.string().trim().optional(),
  ALIYUN_SMS_ACCESS_KEY_SECRET: z.string().trim().optional(),
  ALIYUN_SMS_SIGN_NAME: z.string().trim().optional(),
  /** JSON object or `ours=SMS_x,ours2=SMS_y`. */
  ALIYUN_SMS_TEMPLATE_CODES: z.string().trim().optional(),
  ALIYUN_SMS_ENDPOINT: z.url().optional(),
  ALIYUN_SMS_REGION_ID: z.string().trim().optional(),
  TENCENT_SMS_SECRET_ID: z.string().trim().optional(),
  TENCENT_SMS_SECRET_KEY: z.string().trim().optional(),
  TENCENT_SMS_SDK_APP_ID: z.string().trim().optional(),
  TENCENT_SMS_SIGN_NAME: z.string().trim().optional(),
  /** JSON object or `ours=449739,ours2=449740`. */
  TENCENT_SMS_TEMPLATE_IDS: z.string().trim().optional(),
  TENCENT_SMS_ENDPOINT: z.url().optional(),
  TENCENT_SMS_REGION: z.string().trim().optional(),
});

function parseTemplateCodes(
  raw: string | undefined,
  variable = 'ALIYUN_SMS_TEMPLATE_CODES',
  example = 'SMS_123',
): Record<string, string> {
  if (!raw) return {};
  if (raw.startsWith('{')) {
    const parsed = z.record(z.string(), z.string()).safeParse(
      (() => {
        try {
          return JSON.parse(raw);
        } catch {
          return undefined;
        }
      })(),
    );
    if (!parsed.success)
      throw new EnvError([
        `${variable}: expected a JSON object of template names to ${example}-style codes, or "ours=${example},…"`,
      ]);
    return parsed.data;
  }
  return Object.fromEntries(
    raw.split(',').map((pair) => {
      const [ours, theirs] = pair.split('=').map((s) => s.trim());
      if (!ours || !theirs)
        throw new EnvError([`${variable}: expected "ours=${example},…" or JSON, but got "${pair}"`]);
      return [ours, theirs];
    }),
  );
}

/** SMS settings from the environment; throws EnvError naming every bad or missing variable. */
export function loadNotifyConfig(env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  const e = readEnv(schema, env, 'notification configuration');
  if (e.SMS_PROVIDER === 'webhook' && !e.SMS_WEBHOOK_URL)
    throw new EnvError(['SMS_WEBHOOK_URL: required when SMS_PROVIDER=webhook']);
  let aliyun: NotifyConfig['aliyun'];
  if (e.SMS_PROVIDER === 'aliyun') {
    if (!e.ALIYUN_SMS_ACCESS_KEY_ID || !e.ALIYUN_SMS_ACCESS_KEY_SECRET) {
      throw new EnvError([
        'ALIYUN_SMS_ACCESS_KEY_ID and ALIYUN_SMS_ACCESS_KEY_SECRET: required when SMS_PROVIDER=aliyun',
      ]);
    }
    aliyun = {
      accessKeyId: e.ALIYUN_SMS_ACCESS_KEY_ID,
      accessKeySecret: e.ALIYUN_SMS_ACCESS_KEY_SECRET,
      signName: e.ALIYUN_SMS_SIGN_NAME,
      templateCodes: parseTemplateCodes(e.ALIYUN_SMS_TEMPLATE_CODES),
      endpoint: e.ALIYUN_SMS_ENDPOINT,
      regionId: e.ALIYUN_SMS_REGION_ID,
    };
  }
  let tencent: NotifyConfig['tencent'];
  if (e.SMS_PROVIDER === 'tencent') {
    if (!e.TENCENT_SMS_SECRET_ID || !e.TENCENT_SMS_SECRET_KEY || !e.TENCENT_SMS_SDK_APP_ID) {
      throw new EnvError([
        'TENCENT_SMS_SECRET_ID, TENCENT_SMS_SECRET_KEY and TENCENT_SMS_SDK_APP_ID: required when SMS_PROVIDER=tencent',
      ]);
    }
    tencent = {
      secretId: e.TENCENT_SMS_SECRET_ID,
      secretKey: e.TENCENT_SMS_SECRET_KEY,
      sdkAppId: e.TENCENT_SMS_SDK_APP_ID,
      signName: e.TENCENT_SMS_SIGN_NAME,
      templateIds: parseTemplateCodes(e.TENCENT_SMS_TEMPLATE_IDS, 'TENCENT_SMS_TEMPLATE_IDS', '449739'),
      endpoint: e.TENCENT_SMS_ENDPOINT,
      region: e.TENCENT_SMS_REGION,
    };
  }
  return {
    provider: e.SMS_PROVIDER,
    webhookUrl: e.SMS_WEBHOOK_URL,
    webhookTimeoutMs: e.SMS_WEBHOOK_TIMEOUT_MS,
    dailyCapPerPhone: e.SMS_DAILY_CAP_PER_PHONE,
    maxPermanentAttempts: e.SMS_MAX_PERMANENT_ATTEMPTS,
    pollIntervalMs: e.SMS_POLL_INTERVAL_MS,
    aliyun,
    tencent,
  };
}
