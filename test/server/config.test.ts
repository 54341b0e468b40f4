import path from 'node:path';
import { loadFireLaneConfig } from '../../domain/fire-lane/config';
import { loadNotifyConfig } from '../../domain/notify/config';
import { loadPrivacyConfig } from '../../domain/privacy/config';
import { DEFAULT_USER_TASK_LEASE } from '../../domain/tasks/user-task-lease';
import { ConfigError, loadConfig } from '../../platform/config';

/** Runs loadConfig and returns the ConfigError it throws (fails the test if it does not). */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`Expected a ConfigError for ${JSON.stringify(env)}, but the configuration loaded`);
}

describe('loadConfig: the engine gateway security', () => {
  it('refuses a non-loopback engine without credentials outside demo mode', () => {
    // when
    const err = configError({ ENGINE_HOST: '0.0.0.0' });

    // then
    expect(err.problems).toEqual([expect.stringContaining('ENGINE_HOST="0.0.0.0": the engine would accept anyone')]);
  });

  it('accepts a non-loopback engine with a token, or in demo mode, and reads the credentials', () => {
    // when
    const withToken = loadConfig({ ENGINE_HOST: '0.0.0.0', ENGINE_AUTH_TOKEN: 't', ENGINE_FEEL_BUDGET_MS: '250' });
    const demo = loadConfig({ ENGINE_HOST: '0.0.0.0', DEMO: '1' });
    const basic = loadConfig({ ENGINE_AUTH_USERNAME: 'u', ENGINE_AUTH_PASSWORD: 'p' });

    // then
    expect(withToken.engineAuth).toEqual({ token: 't' });
    expect(withToken.feelBudgetMs).toBe(250);
    expect(demo.engineAuth).toBeUndefined();
    expect(basic.engineAuth).toEqual({ username: 'u', password: 'p' });
  });

  it('names a half-given pair and a missing PEM file', () => {
    // when
    const err = configError({ ENGINE_AUTH_USERNAME: 'u', ENGINE_TLS_CERT: '/nonexistent/engine.crt' });

    // then
    expect(err.problems).toEqual(
      expect.arrayContaining([
        'ENGINE_TLS_CERT="/nonexistent/engine.crt": expected a readable PEM file',
        'ENGINE_AUTH_PASSWORD="": required when ENGINE_AUTH_USERNAME is set',
      ]),
    );
  });
});

describe('loadConfig', () => {
  it('gives working defaults for an empty environment', () => {
    // given no variables at all
    const env = {};

    // when
    const config = loadConfig(env);

    // then the embedded defaults of ARCHITECTURE.md apply
    expect(config).toEqual({
      port: 3000,
      host: '0.0.0.0',
      dataDir: path.resolve('./data'),
      databaseUrl: undefined,
      zeebeGrpcAddress: undefined,
      enginePort: 26500,
      engineHost: '127.0.0.1',
      engineRestPort: undefined,
      modelLimits: {
        maxXmlBytes: undefined,
        maxSubprocessDepth: undefined,
        maxXmlDepth: undefined,
        maxElements: undefined,
        maxExpressionLength: undefined,
      },
      engineAuth: undefined,
      engineTls: undefined,
      feelBudgetMs: undefined,
      smsProvider: 'outbox',
      smsWebhookUrl: undefined,
      demo: false,
      logLevel: 'info',
      sessionIdleMinutes: 480,
      rateLimits: {
        loginPerIp: { limit: 30, windowMs: 600_000 },
        loginPerUser: { limit: 10, windowMs: 600_000 },
        publicIntakePerIp: { limit: 20, windowMs: 600_000 },
      },
      metricsToken: undefined,
      operateUrl: undefined,
      calendarRefreshSeconds: 60,
      // the modules' own sections, each with its defaults
      notify: loadNotifyConfig({}),
      fireLane: loadFireLaneConfig({}),
      userTaskLease: DEFAULT_USER_TASK_LEASE,
      privacy: loadPrivacyConfig({}),
    });
  });

  it('reads every variable it knows', () => {
    // given a fully specified environment
    const env = {
      PORT: '8080',
      HOST: '127.0.0.1',
      DATA_DIR: '/var/lib/onematter',
      DATABASE_URL: 'postgres://postgres@db:5432/onematter',
      ZEEBE_GRPC_ADDRESS: 'grpc://zeebe:26500',
      ENGINE_PORT: '26600',
      ENGINE_HOST: '0.0.0.0',
      SMS_PROVIDER: 'webhook',
      SMS_WEBHOOK_URL: 'https://sms.example.org/send',
      DEMO: 'yes',
      LOG_LEVEL: 'debug',
      SESSION_IDLE_MINUTES: '30',
      RATE_LIMIT_LOGIN_IP: '5/30s',
      RATE_LIMIT_LOGIN_USER: '3/1h',
      RATE_LIMIT_INTAKE_IP: '100/1m',
      METRICS_TOKEN: 'a-long-enough-metrics-token',
      CAMUNDA_OPERATE_BASE_URL: 'https://operate.example.org',
      CALENDAR_REFRESH_SECONDS: '15',
      ENGINE_REST_PORT: '8090',
      ENGINE_MAX_XML_BYTES: '2000000',
      ENGINE_MAX_SUBPROCESS_DEPTH: '20',
      ENGINE_MAX_XML_DEPTH: '60',
      ENGINE_MAX_ELEMENTS: '5000',
      ENGINE_MAX_EXPRESSION_LENGTH: '4000',
      PII_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
      PII_MASTER_KEYS_OLD: Buffer.alloc(32, 2).toString('base64'),
      RETENTION_REPORTER_CONTACT_DAYS: '365',
      RETENTION_SMS_DAYS: '30',
      RETENTION_CAMERA_DAYS: '60',
      RETENTION_SESSION_DAYS: '7',
      RETENTION_PURGE_REPORT_DAYS: '0',
    };

    // when
    const config = loadConfig(env);

    // then
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/var/lib/onematter',
      databaseUrl: 'postgres://postgres@db:5432/onematter',
      zeebeGrpcAddress: 'grpc://zeebe:26500',
      enginePort: 26600,
      engineHost: '0.0.0.0',
      engineRestPort: 8090,
      modelLimits: {
        maxXmlBytes: 2_000_000,
        maxSubprocessDepth: 20,
        maxXmlDepth: 60,
        maxElements: 5000,
        maxExpressionLength: 4000,
      },
      smsProvider: 'webhook',
      smsWebhookUrl: 'https://sms.example.org/send',
      demo: true,
      logLevel: 'debug',
      sessionIdleMinutes: 30,
      rateLimits: {
        loginPerIp: { limit: 5, windowMs: 30_000 },
        loginPerUser: { limit: 3, windowMs: 3_600_000 },
        publicIntakePerIp: { limit: 100, windowMs: 60_000 },
      },
      metricsToken: 'a-long-enough-metrics-token',
      operateUrl: 'https://operate.example.org',
      calendarRefreshSeconds: 15,
      notify: expect.objectContaining({ provider: 'webhook', webhookUrl: 'https://sms.example.org/send' }),
      fireLane: loadFireLaneConfig({}),
      userTaskLease: DEFAULT_USER_TASK_LEASE,
      privacy: {
        masterKey: Buffer.alloc(32, 1),
        oldMasterKeys: [Buffer.alloc(32, 2)],
        retention: { reporterContactDays: 365, smsDays: 30, cameraDays: 60, sessionDays: 7, purgeReportDays: 0 },
      },
    });
  });

  it('names the bad variables of every module at once', () => {
    // given one bad variable for the platform, the server, SMS, the fire lane and the user-task lease
    const env = {
      ENGINE_PORT: 'x',
      PORT: '99999',
      SMS_DAILY_CAP_PER_PHONE: 'ten',
      FIRE_LANE_GRACE: 'soon',
      USER_TASK_LEASE_MS: 'long',
    };

    // when
    const err = configError(env);

    // then each is named, in one error
    expect(err.problems.map((p) => p.split('=')[0])).toEqual(
      expect.arrayContaining([
        'ENGINE_PORT',
        'PORT',
        'SMS_DAILY_CAP_PER_PHONE',
        'FIRE_LANE_GRACE',
        'USER_TASK_LEASE_MS',
      ]),
    );
    expect(err.problems).toHaveLength(5);
  });

  it('treats empty strings as unset', () => {
    // given variables exported but empty, as `PORT= npm start` does
    const env = { PORT: '', DATABASE_URL: ' ', DEMO: '' };

    // when
    const config = loadConfig(env);

    // then the defaults apply
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.demo).toBe(false);
  });

  it.each([
    ['1', true],
    ['true', true],
    ['ON', true],
    ['0', false],
    ['false', false],
    ['no', false],
  ])('reads DEMO=%s as %s', (value, expected) => {
    expect(loadConfig({ DEMO: value }).demo).toBe(expected);
  });

  it.each([['grpc://127.0.0.1:26500'], ['grpcs://cluster.example.org:443'], ['zeebe:26500']])(
    'accepts ZEEBE_GRPC_ADDRESS=%s',
    (address) => {
      expect(loadConfig({ ZEEBE_GRPC_ADDRESS: address }).zeebeGrpcAddress).toBe(address);
    },
  );

  it.each([
    ['PORT', 'abc', 'expected a whole number'],
    ['PORT', '70000', 'expected a port number from 0 to 65535'],
    ['ENGINE_PORT', '-1', 'expected a whole number'],
    ['DATABASE_URL', 'mysql://root@localhost/onematter', 'expected a URL like postgres://'],
    ['ZEEBE_GRPC_ADDRESS', 'http://zeebe:26500/', 'expected host:port'],
    ['SMS_PROVIDER', 'carrier-pigeon', 'outbox'],
    ['SMS_WEBHOOK_URL', 'not a url', ''],
    ['DEMO', 'maybe', 'expected one of 1, 0, true, false'],
    ['LOG_LEVEL', 'loud', 'info'],
    ['RATE_LIMIT_LOGIN_IP', '10 per minute', 'expected limit/window, e.g. 10/15m'],
    ['RATE_LIMIT_INTAKE_IP', '0/1m', 'expected a limit and a window above 0'],
    ['SESSION_IDLE_MINUTES', '0', 'expected a whole number of minutes above 0'],
    ['METRICS_TOKEN', 'short', 'at least 16 characters'],
  ])('names %s=%s in the error', (name, value, hint) => {
    // given one bad variable
    const env = { [name]: value };

    // when
    const error = configError(env);

    // then the message names the variable, its value and what was expected
    expect(error.message).toContain(`${name}=${JSON.stringify(value)}`);
    expect(error.message).toContain(hint);
    expect(error.problems).toHaveLength(1);
  });

  it('lists every bad variable at once', () => {
    // given two bad variables
    const env = { PORT: 'abc', SMS_PROVIDER: 'carrier-pigeon' };

    // when
    const error = configError(env);

    // then both are named, so one restart fixes both
    expect(error.problems).toHaveLength(2);
    expect(error.message).toMatch(/PORT="abc"/);
    expect(error.message).toMatch(/SMS_PROVIDER="carrier-pigeon"/);
  });

  it('requires SMS_WEBHOOK_URL when SMS_PROVIDER=webhook', () => {
    // given the webhook provider without its URL
    const env = { SMS_PROVIDER: 'webhook' };

    // when
    const error = configError(env);

    // then
    expect(error.message).toContain('SMS_WEBHOOK_URL');
    expect(error.message).toContain('SMS_PROVIDER=webhook');
  });

  it('resolves a relative DATA_DIR against the working directory', () => {
    expect(loadConfig({ DATA_DIR: 'var/data' }).dataDir).toBe(path.resolve('var/data'));
  });
});
