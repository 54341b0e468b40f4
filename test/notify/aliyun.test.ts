import crypto from 'node:crypto';
import { ProviderError, type OutgoingSms } from '../../domain/notify/provider';
import { AliyunSmsProvider } from '../../domain/notify/providers/aliyun';
import { startHttpDouble, type HttpDouble, type RecordedRequest } from './helpers';

/**
 * A local double of Alibaba Cloud's Dysmsapi SendSms endpoint. It verifies the request the way the
 * "Signature method" document describes — written here independently of the adapter:
 * sort every parameter but Signature, RFC 3986-encode names and values, join with &, sign
 * "POST&%2F&" + encode(that) with HMAC-SHA1 keyed by secret + "&", Base64.
 */
const KEY_ID = 'LTAI5tTestKeyId';
const SECRET = 'testSecret/with+special=chars';
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

function verify(
  req: RecordedRequest,
  secret: string,
): { ok: true; params: Record<string, string> } | { ok: false; code: string; message: string } {
  if (req.method !== 'POST') return { ok: false, code: 'MethodNotAllowed', message: req.method };
  if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
    return { ok: false, code: 'InvalidContentType', message: String(req.headers['content-type']) };
  }
  const params = Object.fromEntries(new URLSearchParams(req.body));
  const { Signature, ...rest } = params;
  const canonical = Object.keys(rest)
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(rest[k])}`)
    .join('&');
  const expected = crypto
    .createHmac('sha1', secret + '&')
    .update('POST&%2F&' + rfc3986(canonical))
    .digest('base64');
  if (Signature !== expected)
    return {
      ok: false,
      code: 'SignatureDoesNotMatch',
      message: 'Specified signature is not matched with our calculation.',
    };
  return { ok: true, params };
}

const sms: OutgoingSms = {
  id: '1001',
  idempotencyKey: 'fire-lane:case-9:notice',
  to: '13812345678',
  template: 'fire-lane.notice',
  params: { plate: '浙B10001', lane: '洪塘街道 (北区) 3号楼*', minutes: 15 },
  text: 'ignored by Aliyun: the template lives on their side',
  caseId: 'case-9',
};

const FIXED_NOW = new Date('2025-03-03T02:00:00.123Z');
const provider = (
  url: string,
  secret = SECRET,
  extra: Partial<ConstructorParameters<typeof AliyunSmsProvider>[0]> = {},
) =>
  new AliyunSmsProvider({
    accessKeyId: KEY_ID,
    accessKeySecret: secret,
    templateCodes: { 'fire-lane.notice': 'SMS_465000001' },
    endpoint: url,
    now: () => FIXED_NOW,
    ...extra,
  });

let double: HttpDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

describe('AliyunSmsProvider against a local SendSms double', () => {
  it('sends a correctly signed SendSms request with the documented parameters', async () => {
    // given a double that verifies signatures with the account's secret
    const nonces = new Set<string>();
    double = await startHttpDouble((req) => {
      const v = verify(req, SECRET);
      if (!v.ok) return { status: 400, body: { Code: v.code, Message: v.message, RequestId: 'r-bad' } };
      nonces.add(v.params.SignatureNonce);
      return {
        status: 200,
        body: {
          Code: 'OK',
          Message: 'OK',
          BizId: `9006197469364984^${nonces.size}`,
          RequestId: 'F655A8D5-B967-440B-8683-DAD6FF8DE990',
        },
      };
    });
    // when two messages are sent
    const p = provider(double.url);
    const first = await p.send(sms);
    const second = await p.send({ ...sms, id: '1002' });
    // then both were accepted with Alibaba's BizId and distinct nonces
    expect(first).toEqual({ providerMessageId: '9006197469364984^1' });
    expect(second).toEqual({ providerMessageId: '9006197469364984^2' });
    expect(nonces.size).toBe(2);
    // and the parameters are the documented ones
    const params = Object.fromEntries(new URLSearchParams(double.requests[0].body));
    expect(params).toMatchObject({
      AccessKeyId: KEY_ID,
      Action: 'SendSms',
      Format: 'JSON',
      RegionId: 'cn-hangzhou',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      Timestamp: '2025-03-03T02:00:00Z',
      Version: '2017-05-25',
      PhoneNumbers: '13812345678',
      SignName: '江北消防',
      TemplateCode: 'SMS_465000001',
      OutId: '1001',
    });
    expect(JSON.parse(params.TemplateParam)).toEqual({
      plate: '浙B10001',
      lane: '洪塘街道 (北区) 3号楼*',
      minutes: '15',
    });
    expect(params.SignatureNonce).toMatch(/^[0-9a-f-]{36}$/);
    // and spaces were sent as %20, never "+" (the encoding the signature is computed over)
    expect(double.requests[0].body).not.toMatch(/\+/);
  });

  it('uses ALIYUN_SMS_SIGN_NAME over the template signature when configured', async () => {
    double = await startHttpDouble((req) => {
      const v = verify(req, SECRET);
      return v.ok
        ? { status: 200, body: { Code: 'OK', BizId: 'b', RequestId: 'r' } }
        : { status: 400, body: { Code: v.code } };
    });
    await provider(double.url, SECRET, { signName: '宁波江北' }).send(sms);
    expect(new URLSearchParams(double.requests[0].body).get('SignName')).toBe('宁波江北');
  });

  it('reports a wrong secret as a permanent SignatureDoesNotMatch', async () => {
    double = await startHttpDouble((req) => {
      const v = verify(req, SECRET);
      return v.ok
        ? { status: 200, body: { Code: 'OK' } }
        : { status: 400, body: { Code: v.code, Message: v.message, RequestId: 'r-1' } };
    });
    const err = await provider(double.url, 'not-the-secret')
      .send(sms)
      .catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'SignatureDoesNotMatch', retryable: false });
    expect(err.message).toMatch(
      /Expected Aliyun SendSms Code "OK", but got SignatureDoesNotMatch \(HTTP 400\).*RequestId r-1/,
    );
  });

  it('classifies business codes: throttling and system errors retry, an illegal number does not', async () => {
    const replies = [
      { status: 200, body: { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发号码天级流控Permits:10' } },
      { status: 200, body: { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号 13812345678' } },
      { status: 500, body: { Code: 'isp.SYSTEM_ERROR', Message: 'system error' } },
      { status: 503, body: '<html>Service Unavailable</html>' },
    ];
    double = await startHttpDouble((_req, i) => replies[i]);
    const p = provider(double.url);
    const results: ProviderError[] = [];
    for (let i = 0; i < replies.length; i++) results.push(await p.send(sms).catch((e) => e));
    expect(results.map((e) => [e.code, e.retryable])).toEqual([
      ['isv.BUSINESS_LIMIT_CONTROL', true],
      ['isv.MOBILE_NUMBER_ILLEGAL', false],
      ['isp.SYSTEM_ERROR', true],
      ['HTTP_503', true],
    ]);
    expect(results[1].message).toContain('138****5678');
    expect(results[1].message).not.toContain('13812345678');
  });

  it('refuses a template without an Aliyun template code, without calling the API', async () => {
    double = await startHttpDouble(() => ({ status: 200, body: { Code: 'OK' } }));
    const err = await provider(double.url)
      .send({ ...sms, template: 'case.accepted', params: { caseNo: 'A1', days: 5 } })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'NO_TEMPLATE_CODE', retryable: false });
    expect(double.requests).toHaveLength(0);
  });
});
