import crypto from 'node:crypto';
import { maskPhonesInText } from '../mask';
import { ProviderError, type OutgoingSms, type SendResult, type SmsProvider } from '../provider';
import { getTemplate } from '../templates';

/**
 * Alibaba Cloud SMS (短信服务, Dysmsapi 2017-05-25) `SendSms`, called over its RPC-style HTTP API
 * with signature version 1.0 (HMAC-SHA1), as documented in "Signature method" of the SMS API
 * reference (help.aliyun.com / alibabacloud.com/help/en/sms/signature-method):
 *
 *   1. all parameters except `Signature`, sorted by name, each name and value percent-encoded per
 *      RFC 3986 (space → %20, `*` → %2A, `~` kept) and joined as `k=v&k=v` (canonicalized query);
 *   2. StringToSign = HTTPMethod + "&" + percentEncode("/") + "&" + percentEncode(canonicalized);
 *   3. Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", UTF-8(StringToSign))).
 *
 * No SDK: node's crypto and fetch suffice, and the endpoint is configurable so tests talk to a local
 * double of the API that verifies the signature. SendSms is not idempotent on Alibaba's side (their
 * docs say so), which is why our outbox keys every message; `OutId` carries our row id for tracing.
 */
export interface AliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** Overrides every template's own signature (must be an approved 签名). */
  signName?: string;
  /** Our template code → Aliyun template code, e.g. `{ "fire-lane.notice": "SMS_4650001" }`. */
  templateCodes: Record<string, string>;
  /** Default `https://dysmsapi.aliyuncs.com/`. */
  endpoint?: string;
  regionId?: string;
  /** Aliyun recommends ≥ 1 s for domestic SMS; default 5 s. */
  timeoutMs?: number;
  /** Clock for the `Timestamp` parameter (tests inject one). */
  now?: () => Date;
  nonce?: () => string;
}

/** RFC 3986 percent-encoding as Alibaba's RPC signature requires. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Canonicalized query string of the parameters (everything but `Signature`). */
export function canonicalize(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k])}`)
    .join('&');
}

/** Signature v1.0 (HMAC-SHA1) over the parameters for the given HTTP method. */
export function signRpc(method: 'GET' | 'POST', params: Record<string, string>, accessKeySecret: string): string {
  const stringToSign = `${method}&${percentEncode('/')}&${percentEncode(canonicalize(params))}`;
  return crypto.createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

/** Codes that mean "later" rather than "never": throttling, Alibaba-side faults, an unpaid account. */
const RETRYABLE_CODES = new Set([
  'isv.BUSINESS_LIMIT_CONTROL',
  'Throttling',
  'Throttling.User',
  'Throttling.Api',
  'isp.SYSTEM_ERROR',
  'ServiceUnavailable',
  'InternalError',
  'isv.OUT_OF_SERVICE',
  'isv.AMOUNT_NOT_ENOUGH',
]);

export class AliyunSmsProvider implements SmsProvider {
  readonly name = 'aliyun';
  private readonly endpoint: string;

  constructor(private readonly options: AliyunSmsOptions) {
    if (!options.accessKeyId || !options.accessKeySecret)
      throw new Error('Expected ALIYUN_SMS_ACCESS_KEY_ID and ALIYUN_SMS_ACCESS_KEY_SECRET, but one is empty');
    this.endpoint = options.endpoint ?? 'https://dysmsapi.aliyuncs.com/';
  }

  /** The signed form parameters of one SendSms call (exposed for tests and diagnostics). */
  buildParams(sms: OutgoingSms): Record<string, string> {
    const templateCode = this.options.templateCodes[sms.template];
    if (!templateCode) {
      throw new ProviderError(
        `Expected an Aliyun template code for "${sms.template}" in ALIYUN_SMS_TEMPLATE_CODES, but none is configured`,
        false,
        'NO_TEMPLATE_CODE',
      );
    }
    const now = this.options.now?.() ?? new Date();
    const params: Record<string, string> = {
      AccessKeyId: this.options.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      RegionId: this.options.regionId ?? 'cn-hangzhou',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: this.options.nonce?.() ?? crypto.randomUUID(),
      SignatureVersion: '1.0',
      Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
      PhoneNumbers: sms.to,
      SignName: this.options.signName ?? getTemplate(sms.template).sign,
      TemplateCode: templateCode,
      // Aliyun expects every variable as a string
      TemplateParam: JSON.stringify(Object.fromEntries(Object.entries(sms.params).map(([k, v]) => [k, String(v)]))),
      OutId: sms.id,
    };
    params.Signature = signRpc('POST', params, this.options.accessKeySecret);
    return params;
  }

  async send(sms: OutgoingSms): Promise<SendResult> {
    const params = this.buildParams(sms);
    const body = Object.entries(params)
      .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
      .join('&');
    let res: Response;
    try {
      res = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
    } catch (err) {
      const e = err as Error;
      const what = e.name === 'TimeoutError' ? `timed out after ${this.options.timeoutMs ?? 5000} ms` : e.message;
      throw new ProviderError(`Expected Aliyun SendSms to answer, but ${what}`, true, e.name);
    }
    const raw = await res.text().catch(() => '');
    let reply: { Code?: string; Message?: string; BizId?: string; RequestId?: string } = {};
    try {
      reply = JSON.parse(raw);
    } catch {
      // a proxy's HTML error page: classify by status below
    }
    if (res.ok && reply.Code === 'OK') return { providerMessageId: reply.BizId };
    const code = reply.Code ?? `HTTP_${res.status}`;
    const retryable =
      res.status >= 500 || res.status === 429 || RETRYABLE_CODES.has(code) || code.startsWith('Throttling');
    const message = maskPhonesInText(reply.Message ?? raw.slice(0, 200));
    throw new ProviderError(
      `Expected Aliyun SendSms Code "OK", but got ${code} (HTTP ${res.status}): ${message}${reply.RequestId ? ` [RequestId ${reply.RequestId}]` : ''}`,
      retryable,
      code,
    );
  }
}
