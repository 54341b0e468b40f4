import { ProviderError, type OutgoingSms } from '../../domain/notify/provider';
import { WebhookProvider } from '../../domain/notify/providers/webhook';
import { startHttpDouble, type HttpDouble } from './helpers';

const sms: OutgoingSms = {
  id: '42',
  idempotencyKey: 'fire-lane:case-7:notice',
  to: '13812345678',
  template: 'fire-lane.notice',
  params: { plate: '浙B10001', lane: '文教街道某小区', minutes: 15 },
  text: '【江北消防】您的车辆浙B10001停放在文教街道某小区消防通道…',
  caseId: 'case-7',
};

let double: HttpDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

describe('WebhookProvider', () => {
  it('POSTs the message as JSON with an Idempotency-Key and records the returned id', async () => {
    // given a gateway that accepts
    double = await startHttpDouble(() => ({ status: 202, body: { messageId: 'gw-1' } }));
    // when a message is sent
    const result = await new WebhookProvider({ url: double.url, headers: { authorization: 'Bearer t' } }).send(sms);
    // then the gateway got the whole message and we keep its id
    expect(result).toEqual({ providerMessageId: 'gw-1' });
    const [req] = double.requests;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['idempotency-key']).toBe('fire-lane:case-7:notice');
    expect(req.headers.authorization).toBe('Bearer t');
    expect(JSON.parse(req.body)).toEqual({ ...sms });
  });

  it('accepts a 2xx without a JSON body', async () => {
    double = await startHttpDouble(() => ({ status: 200, body: 'ok' }));
    await expect(new WebhookProvider({ url: double.url }).send(sms)).resolves.toEqual({ providerMessageId: undefined });
  });

  it('classifies 5xx, 429 and 408 as retryable and other 4xx as permanent, masking phones in the error', async () => {
    const statuses = [503, 429, 408, 400, 404];
    double = await startHttpDouble((_req, i) => ({ status: statuses[i], body: `bad number 13812345678` }));
    const provider = new WebhookProvider({ url: double.url });
    const errors: ProviderError[] = [];
    for (let i = 0; i < statuses.length; i++)
      errors.push(
        await provider.send(sms).then(
          () => {
            throw new Error('expected a failure');
          },
          (e) => e,
        ),
      );
    expect(errors.map((e) => [e.code, e.retryable])).toEqual([
      ['HTTP_503', true],
      ['HTTP_429', true],
      ['HTTP_408', true],
      ['HTTP_400', false],
      ['HTTP_404', false],
    ]);
    for (const e of errors) {
      expect(e).toBeInstanceOf(ProviderError);
      expect(e.message).toContain('138****5678');
      expect(e.message).not.toContain('13812345678');
    }
  });

  it('treats a timeout and a refused connection as retryable', async () => {
    // given a gateway slower than the timeout
    double = await startHttpDouble(() => ({ status: 200, delayMs: 500 }));
    const slow = await new WebhookProvider({ url: double.url, timeoutMs: 50 }).send(sms).catch((e) => e);
    expect(slow).toMatchObject({ retryable: true, code: 'TimeoutError' });
    expect(slow.message).toMatch(/timed out after 50 ms/);
    // given nothing listening
    const url = double.url;
    await double.close();
    double = undefined;
    const refused = await new WebhookProvider({ url }).send(sms).catch((e) => e);
    expect(refused).toMatchObject({ retryable: true });
  });
});
