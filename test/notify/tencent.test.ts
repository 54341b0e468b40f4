import crypto from 'node:crypto';
import { ProviderError, type OutgoingSms } from '../../domain/notify/provider';
import { TencentSmsProvider } from '../../domain/notify/providers/tencent';
import { startHttpDouble, type HttpDouble, type RecordedRequest } from './helpers';

/**
 * A local double of Tencent Cloud's SMS API 3.0 `SendSms` (version 2021-01-11). It checks the
 * TC3-HMAC-SHA256 signature the way the "Signature v3" document describes — written here
 * independently of the adapter, from the headers it actually received: canonical request over the
 * signed headers named in the Authorization header, credential scope date/service/tc3_request, key
 * derived from "TC3" + SecretKey through date, service and "tc3_request", hex HMAC-SHA256.
 */
const SECRET_ID = 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE';
const SECRET_KEY = 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE';
const APP_ID = '1400006666';

const h = (key: crypto.BinaryLike, s: string) => crypto.createHmac('sha256', key).update(s).digest();
const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

function verify(
  req: RecordedRequest,
  secretKey: string,
  nowSeconds: number,
): { ok: true; body: Record<string, unknown> } | { ok: false; code: string; message: string } {
  const auth = String(req.headers.authorization ?? '');
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/sms\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { ok: false, code: 'AuthFailure.SignatureFailure', message: `malformed Authorization: ${auth}` };
  const [, secretId, date, signedHeaders, signature] = m;
  if (secretId !== SECRET_ID) return { ok: false, code: 'AuthFailure.SecretIdNotFound', message: secretId };
  const timestamp = Number(req.headers['x-tc-timestamp']);
  if (Math.abs(timestamp - nowSeconds) > 300)
    return { ok: false, code: 'AuthFailure.SignatureExpire', message: 'timestamp too far off' };
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date)
    return { ok: false, code: 'AuthFailure.SignatureFailure', message: 'date does not match timestamp' };
  const names = signedHeaders.split(';');
  if (!names.includes('content-type') || !names.includes('host'))
    return { ok: false, code: 'AuthFailure.SignatureFailure', message: 'content-type and host must be signed' };
  const canonicalHeaders = names
    .map(
      (n) =>
        `${n}:${String(req.headers[n] ?? '')
          .trim()
          .toLowerCase()}\n`,
    )
    .join('');
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, signedHeaders, sha(req.body)].join('\n');
  const stringToSign = ['TC3-HMAC-SHA256', String(timestamp), `${date}/sms/tc3_request`, sha(canonicalRequest)].join(
    '\n',
  );
  const key = h(h(h('TC3' + secretKey, date), 'sms'), 'tc3_request');
  if (crypto.createHmac('sha256', key).update(stringToSign).digest('hex') !== signature) {
    return {
      ok: false,
      code: 'AuthFailure.SignatureFailure',
      message: 'The provided credentials could not be validated.',
    };
  }
  if (req.headers['x-tc-action'] !== 'SendSms' || req.headers['x-tc-version'] !== '2021-01-11')
    return { ok: false, code: 'InvalidAction', message: 'action/version' };
  return { ok: true, body: JSON.parse(req.body) as Record<string, unknown> };
}

const sms: OutgoingSms = {
  id: '2001',
  idempotencyKey: 'case-9:notice',
  to: '13812345678',
  template: 'fire-lane.notice',
  params: { minutes: 15, lane: '洪塘街道 (北区) 3号楼', plate: '浙B10001' },
  text: 'ignored by Tencent: the template lives on their side',
  caseId: 'case-9',
};

const NOW = new Date('2025-03-03T23:59:59.500Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const provider = (
  url: string,
  secretKey = SECRET_KEY,
  extra: Partial<ConstructorParameters<typeof TencentSmsProvider>[0]> = {},
) =>
  new TencentSmsProvider({
    secretId: SECRET_ID,
    secretKey,
    sdkAppId: APP_ID,
    templateIds: { 'fire-lane.notice': '449739' },
    endpoint: url,
    now: () => NOW,
    ...extra,
  });

const ok = (serial: string) => ({
  status: 200,
  body: {
    Response: {
      SendStatusSet: [
        {
          SerialNo: serial,
          PhoneNumber: '+8613812345678',
          Fee: 1,
          SessionContext: '2001',
          Code: 'Ok',
          Message: 'send success',
          IsoCode: 'CN',
        },
      ],
      RequestId: 'a0aabda6-cf91-4f3e-a2e5-7b2e8c5b0c8a',
    },
  },
});
/** API 3.0 answers business errors with HTTP 200 and Response.Error. */
const apiError = (code: string, message: string) => ({
  status: 200,
  body: { Response: { Error: { Code: code, Message: message }, RequestId: 'r-err' } },
});

let double: HttpDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

describe('TencentSmsProvider against a local SendSms double', () => {
  it('sends a correctly signed SendSms request with the documented parameters', async () => {
    double = await startHttpDouble((req) => {
      const v = verify(req, SECRET_KEY, NOW_S);
      return v.ok
        ? ok('5000:1045710669157053657849499619')
        : { status: 200, body: { Response: { Error: { Code: v.code, Message: v.message }, RequestId: 'r' } } };
    });
    const result = await provider(double.url).send(sms);
    expect(result).toEqual({ providerMessageId: '5000:1045710669157053657849499619' });
    const req = double.requests[0];
    expect(req.headers).toMatchObject({
      'x-tc-action': 'SendSms',
      'x-tc-version': '2021-01-11',
      'x-tc-region': 'ap-guangzhou',
      'x-tc-timestamp': String(NOW_S),
    });
    // the body: +86 number, the app, the template's signature, parameters in the order of our template body
    expect(JSON.parse(req.body)).toEqual({
      PhoneNumberSet: ['+8613812345678'],
      SmsSdkAppId: APP_ID,
      SignName: '江北消防',
      TemplateId: '449739',
      TemplateParamSet: ['浙B10001', '洪塘街道 (北区) 3号楼', '15'],
      SessionContext: '2001',
    });
  });

  it('uses TENCENT_SMS_SIGN_NAME over the template signature and the configured region', async () => {
    double = await startHttpDouble((req) =>
      verify(req, SECRET_KEY, NOW_S).ok ? ok('s') : apiError('AuthFailure.SignatureFailure', 'x'),
    );
    await provider(double.url, SECRET_KEY, { signName: '宁波江北', region: 'ap-nanjing' }).send(sms);
    expect(JSON.parse(double.requests[0].body).SignName).toBe('宁波江北');
    expect(double.requests[0].headers['x-tc-region']).toBe('ap-nanjing');
  });

  it('reports a wrong secret as a permanent AuthFailure.SignatureFailure', async () => {
    double = await startHttpDouble((req) => {
      const v = verify(req, SECRET_KEY, NOW_S);
      return v.ok ? ok('s') : apiError(v.code, v.message);
    });
    const err = await provider(double.url, 'not-the-key')
      .send(sms)
      .catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'AuthFailure.SignatureFailure', retryable: false });
    expect(err.message).toMatch(
      /Expected Tencent Cloud SendSms Code "Ok", but got AuthFailure\.SignatureFailure \(HTTP 200\).*RequestId r-err/,
    );
  });

  it('classifies codes: limits, internal errors and an empty package retry; a bad number or template does not', async () => {
    const perNumber = (code: string, message: string) => ({
      status: 200,
      body: {
        Response: { SendStatusSet: [{ Code: code, Message: message, PhoneNumber: '+8613812345678' }], RequestId: 'r' },
      },
    });
    const replies = [
      perNumber('LimitExceeded.PhoneNumberThirtySecondLimit', '单个手机号30秒内下发短信条数超过设定的上限'),
      perNumber('InvalidParameterValue.IncorrectPhoneNumber', '手机号格式错误 +8613812345678'),
      apiError('InternalError.Timeout', 'timeout'),
      perNumber('FailedOperation.InsufficientBalanceInSmsPackage', '套餐包余量不足'),
      apiError('FailedOperation.TemplateIncorrectOrUnapproved', '模板未审批或内容不匹配'),
      apiError('RequestLimitExceeded', '请求的次数超过了频率限制'),
      { status: 502, body: '<html>Bad Gateway</html>' },
    ];
    double = await startHttpDouble((_req, i) => replies[i]);
    const p = provider(double.url);
    const results: ProviderError[] = [];
    for (let i = 0; i < replies.length; i++) results.push(await p.send(sms).catch((e) => e));
    expect(results.map((e) => [e.code, e.retryable])).toEqual([
      ['LimitExceeded.PhoneNumberThirtySecondLimit', true],
      ['InvalidParameterValue.IncorrectPhoneNumber', false],
      ['InternalError.Timeout', true],
      ['FailedOperation.InsufficientBalanceInSmsPackage', true],
      ['FailedOperation.TemplateIncorrectOrUnapproved', false],
      ['RequestLimitExceeded', true],
      ['HTTP_502', true],
    ]);
    expect(results[1].message).toContain('138****5678');
    expect(results[1].message).not.toContain('13812345678');
  });

  it('refuses a template without a Tencent template id, without calling the API', async () => {
    double = await startHttpDouble(() => ok('s'));
    const err = await provider(double.url)
      .send({ ...sms, template: 'case.accepted', params: { caseNo: 'A1', days: 5 } })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'NO_TEMPLATE_ID', retryable: false });
    expect(double.requests).toHaveLength(0);
  });
});
