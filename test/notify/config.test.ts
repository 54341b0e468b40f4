import { createSmsProvider, loadNotifyConfig } from '../../domain/notify';

describe('loadNotifyConfig / createSmsProvider', () => {
  it('defaults to the recording outbox with a cap of 10 per phone per day', () => {
    const config = loadNotifyConfig({});
    expect(config).toMatchObject({ provider: 'outbox', dailyCapPerPhone: 10, maxPermanentAttempts: 3 });
    expect(createSmsProvider(config).name).toBe('outbox');
  });

  it('reads the Aliyun settings and template code mapping', () => {
    const config = loadNotifyConfig({
      SMS_PROVIDER: 'aliyun',
      ALIYUN_SMS_ACCESS_KEY_ID: 'id',
      ALIYUN_SMS_ACCESS_KEY_SECRET: 'secret',
      ALIYUN_SMS_SIGN_NAME: '江北消防',
      ALIYUN_SMS_TEMPLATE_CODES: 'fire-lane.notice=SMS_1, case.accepted=SMS_2',
      ALIYUN_SMS_ENDPOINT: 'http://127.0.0.1:9/',
    });
    expect(config.aliyun).toMatchObject({
      templateCodes: { 'fire-lane.notice': 'SMS_1', 'case.accepted': 'SMS_2' },
      signName: '江北消防',
    });
    expect(createSmsProvider(config).name).toBe('aliyun');
    expect(
      loadNotifyConfig({
        SMS_PROVIDER: 'aliyun',
        ALIYUN_SMS_ACCESS_KEY_ID: 'i',
        ALIYUN_SMS_ACCESS_KEY_SECRET: 's',
        ALIYUN_SMS_TEMPLATE_CODES: '{"a":"SMS_9"}',
      }).aliyun!.templateCodes,
    ).toEqual({ a: 'SMS_9' });
  });

  it('reads the Tencent Cloud settings and template id mapping', () => {
    const config = loadNotifyConfig({
      SMS_PROVIDER: 'tencent',
      TENCENT_SMS_SECRET_ID: 'AKIDx',
      TENCENT_SMS_SECRET_KEY: 'key',
      TENCENT_SMS_SDK_APP_ID: '1400006666',
      TENCENT_SMS_TEMPLATE_IDS: 'fire-lane.notice=449739, fire-lane.warning=449740',
      TENCENT_SMS_REGION: 'ap-nanjing',
    });
    expect(config.tencent).toMatchObject({
      sdkAppId: '1400006666',
      templateIds: { 'fire-lane.notice': '449739', 'fire-lane.warning': '449740' },
      region: 'ap-nanjing',
    });
    expect(createSmsProvider(config).name).toBe('tencent');
  });

  it('fails fast naming the variable', () => {
    expect(() => loadNotifyConfig({ SMS_PROVIDER: 'webhook' })).toThrow(/SMS_WEBHOOK_URL/);
    expect(() => loadNotifyConfig({ SMS_PROVIDER: 'aliyun' })).toThrow(/ALIYUN_SMS_ACCESS_KEY_ID/);
    expect(() => loadNotifyConfig({ SMS_DAILY_CAP_PER_PHONE: 'ten' })).toThrow(/SMS_DAILY_CAP_PER_PHONE/);
    expect(() => loadNotifyConfig({ SMS_PROVIDER: 'tencent' })).toThrow(/TENCENT_SMS_SECRET_ID/);
  });
});
