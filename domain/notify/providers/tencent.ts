import crypto from 'node:crypto';
import { maskPhonesInText } from '../mask';
import { ProviderError, type OutgoingSms, type SendResult, type SmsProvider } from '../provider';
import { getTemplate } from '../templates';

/**
 * Tencent Cloud SMS (短信, API 3.0, version 2021-01-11) `SendSms`, signed with TC3-HMAC-SHA256 as
 * the API 3.0 "Signature v3" document describes:
 *
 *   1. CanonicalRequest = "POST\n/\n\n" + CanonicalHeaders + "\n" + SignedHeaders + "\n" +
 *      hex(SHA256(body)), with CanonicalHeaders = "content-type:application/json; charset=utf-8\n" +
 *      "host:<host>\n" + "x-tc-action:sendsms\n" and SignedHeaders = "content-type;host;x-tc-action";
 *   2. StringToSign = "TC3-HMAC-SHA256\n" + timestamp + "\n" + date + "/sms/tc3_request\n" +
 *      hex(SHA256(CanonicalRequest)), date = the UTC day of the timestamp (YYYY-MM-DD);
 *   3. key = HMAC(HMAC(HMAC("TC3" + SecretKey, date), "sms"), "tc3_request");
 *      Signature = hex(HMAC-SHA256(key, StringToSign));
 *   4. Authorization: "TC3-HMAC-SHA256 Credential=<SecretId>/<date>/sms/tc3_request,
 *      SignedHeaders=content-type;host;x-tc-action, Signature=<Signature>".
 *
 * Tencent templates are positional ({1}, {2}, …): our named parameters are sent in the order they
 * appear in our template's body, so the template registered with Tencent must use that order.
 * No SDK: node's crypto and fetch suffice, and the endpoint is configurable so tests talk to a local
 * double of the API that verifies the signature. `SessionContext` carries our row id for tracing.
 */
export interface TencentSmsOptions {
  secretId: string;
  secretKey: string;
  /** The SMS application (SmsSdkAppId, e.g. 1400006666). */
  sdkAppId: string;
  /** Overrides every template's own signature (must be an approved 签名). */
  signName?: string;
  /** Our template code → Tencent template id, e.g. `{ "fire-lane.notice": "449739" }`. */
  templateIds: Record<string, string>;
  /** Default `https://sms.tencentcloudapi.com/`. */
  endpoint?: string;
  /** Default `ap-guangzhou`. */
  region?: string;
  /** Default 5 s. */
  timeoutMs?: number;
  /** Clock for `X-TC-Timestamp` (tests inject one). */
  now?: () => Date;
}

const VERSION = '2021-01-11';
const SERVICE = 'sms';
const CONTENT_TYPE = 'application/json; charset=utf-8';
const SIGNED_HEADERS = 'content-type;host;x-tc-action';

const sha256Hex = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: crypto.BinaryLike, s: string) => crypto.createHmac('sha256', key).update(s, 'utf8').digest();

/** The TC3-HMAC-SHA256 `Authorization` header of one POST to `host` with this action and body. */
export function signTc3(input: {
  secretId: string;
  secretKey: string;
  host: string;
  action: string;
  body: string;
  timestamp: number;
}): string {
  const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10);
  const canonicalHeaders = `content-type:${CONTENT_TYPE}\nhost:${input.host}\nx-tc-action:${input.action.toLowerCase()}\n`;
  const canonicalRequest = `POST\n/\n\n${canonicalHeaders}\n${SIGNED_HEADERS}\n${sha256Hex(input.body)}`;
  const scope = `${date}/${SERVICE}/tc3_request`;
  const stringToSign = `TC3-HMAC-SHA256\n${input.timestamp}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const key = hmac(hmac(hmac(`TC3${input.secretKey}`, date), SERVICE), 'tc3_request');
  const signature = crypto.createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${input.secretId}/${scope}, SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`;
}

/** Our template's parameter names in the order they appear in its body ({1}, {2}, … on Tencent's side). */
export function positionalParams(template: string, params: Record<string, string | number>): string[] {
  const order = [...getTemplate(template).body.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  return [...new Set(order)].map((name) => String(params[name] ?? ''));
}

/**
 * Codes that mean "later" rather than "never": Tencent-side faults, rate and frequency limits, an
 * empty SMS package (the outbox waits and retries; nothing is lost).
 */
function retryableCode(code: string): boolean {
  return (
    code.startsWith('InternalError') ||
    code.startsWith('RequestLimitExceeded') ||
    code.startsWith('LimitExceeded') ||
    code === 'FailedOperation.InsufficientBalanceInSmsPackage' ||
    code === 'ResourceUnavailable' ||
    code.startsWith('ResourceUnavailable.')
  );
}

interface SendStatus {
  SerialNo?: string;
  PhoneNumber?: string;
  Code?: string;
  Message?: string;
  SessionContext?: string;
}
interface Reply {
  Response?: { SendStatusSet?: SendStatus[]; Error?: { Code?: string; Message?: string }; RequestId?: string };
}

export class TencentSmsProvider implements SmsProvider {
  readonly name = 'tencent';
  private readonly endpoint: URL;

  constructor(private readonly options: TencentSmsOptions) {
    if (!options.secretId || !options.secretKey)
      throw new Error('Expected TENCENT_SMS_SECRET_ID and TENCENT_SMS_SECRET_KEY, but one is empty');
    if (!options.sdkAppId) throw new Error('Expected TENCENT_SMS_SDK_APP_ID, but it is empty');
    this.endpoint = new URL(options.endpoint ?? 'https://sms.tencentcloudapi.com/');
  }

  /** The JSON body and headers of one SendSms call (exposed for tests and diagnostics). */
  buildRequest(sms: OutgoingSms): { body: string; headers: Record<string, string> } {
    const templateId = this.options.templateIds[sms.template];
    if (!templateId) {
      throw new ProviderError(
        `Expected a Tencent template id for "${sms.template}" in TENCENT_SMS_TEMPLATE_IDS, but none is configured`,
        false,
        'NO_TEMPLATE_ID',
      );
    }
    const body = JSON.stringify({
      PhoneNumberSet: [sms.to.startsWith('+') ? sms.to : `+86${sms.to}`],
      SmsSdkAppId: this.options.sdkAppId,
      SignName: this.options.signName ?? getTemplate(sms.template).sign,
      TemplateId: templateId,
      TemplateParamSet: positionalParams(sms.template, sms.params),
      SessionContext: sms.id,
    });
    const timestamp = Math.floor((this.options.now?.() ?? new Date()).getTime() / 1000);
    const host = this.endpoint.host;
    return {
      body,
      headers: {
        authorization: signTc3({
          secretId: this.options.secretId,
          secretKey: this.options.secretKey,
          host,
          action: 'SendSms',
          body,
          timestamp,
        }),
        'content-type': CONTENT_TYPE,
        // Host is set by fetch from the endpoint (host[:port]), which is what was signed.
        'x-tc-action': 'SendSms',
        'x-tc-timestamp': String(timestamp),
        'x-tc-version': VERSION,
        'x-tc-region': this.options.region ?? 'ap-guangzhou',
      },
    };
  }

  async send(sms: OutgoingSms): Promise<SendResult> {
    const { body, headers } = this.buildRequest(sms);
    const timeoutMs = this.options.timeoutMs ?? 5000;
    let res: Response;
    try {
      res = await fetch(this.endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const e = err as Error;
      const what = e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : e.message;
      throw new ProviderError(`Expected Tencent Cloud SendSms to answer, but ${what}`, true, e.name);
    }
    const raw = await res.text().catch(() => '');
    let reply: Reply = {};
    try {
      reply = JSON.parse(raw) as Reply;
    } catch {
      // a proxy's HTML error page: classify by status below
    }
    const r = reply.Response;
    const status = r?.SendStatusSet?.[0];
    // API 3.0 answers 200 for business errors: Response.Error for the call, SendStatusSet[].Code per number.
    if (res.ok && !r?.Error && status?.Code === 'Ok') return { providerMessageId: status.SerialNo };
    const code = r?.Error?.Code ?? status?.Code ?? `HTTP_${res.status}`;
    const retryable = res.status >= 500 || res.status === 429 || retryableCode(code);
    const message = maskPhonesInText(r?.Error?.Message ?? status?.Message ?? raw.slice(0, 200));
    throw new ProviderError(
      `Expected Tencent Cloud SendSms Code "Ok", but got ${code} (HTTP ${res.status}): ${message}${r?.RequestId ? ` [RequestId ${r.RequestId}]` : ''}`,
      retryable,
      code,
    );
  }
}
