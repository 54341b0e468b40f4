/**
 * Authentication and TLS on the embedded engine's gateways, driven by unmodified `@camunda8/sdk`
 * clients: `CAMUNDA_AUTH_STRATEGY=BEARER` (`CAMUNDA_OAUTH_TOKEN`) and `BASIC`
 * (`CAMUNDA_BASIC_AUTH_USERNAME`/`_PASSWORD`) are accepted, `NONE` and wrong credentials are refused
 * (gRPC `UNAUTHENTICATED`, REST 401 problem+json), and with a certificate both gateways speak TLS
 * to a client that trusts it (`grpcs://`, `CAMUNDA_CUSTOM_ROOT_CERT_STRING`).
 */
import { Camunda8 } from '@camunda8/sdk';
import { generate } from 'selfsigned';
import { startTestEngine, type TestEngine } from '../../engine/testing';
import { bpmn, chain } from './helpers';

const passXml = bpmn('auth-pass', `<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>${chain('s', 'e')}`);

type GrpcClient = ReturnType<Camunda8['getZeebeGrpcApiClient']>;
type RestClient = ReturnType<Camunda8['getCamundaRestClient']>;

const opened: Array<GrpcClient> = [];
function grpcClient(config: Record<string, unknown>): GrpcClient {
  const c = new Camunda8({
    ...config,
    zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE' },
  } as any).getZeebeGrpcApiClient();
  opened.push(c);
  return c;
}
function restClient(config: Record<string, unknown>): RestClient {
  return new Camunda8({ ...config, CAMUNDA_LOG_LEVEL: 'none' } as any).getCamundaRestClient();
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

async function expectRefused(call: Promise<unknown>): Promise<Error & { code?: number }> {
  const err = (await call.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (e: Error) => e,
  )) as Error & { code?: number };
  return err;
}

describe('bearer token (ENGINE_AUTH_TOKEN)', () => {
  let te: TestEngine;
  beforeAll(async () => {
    te = await startTestEngine({ rest: true, auth: { token: 's3cret-token' } });
  });
  afterAll(() => te.stop());

  test('a BEARER client with the token deploys and runs an instance over gRPC', async () => {
    // given
    const zbc = grpcClient({
      ZEEBE_GRPC_ADDRESS: te.gatewayAddress,
      CAMUNDA_AUTH_STRATEGY: 'BEARER',
      CAMUNDA_OAUTH_TOKEN: 's3cret-token',
    });

    // when
    await zbc.deployResource({ process: Buffer.from(passXml), name: 'pass.bpmn' });
    const result = await zbc.createProcessInstanceWithResult({ bpmnProcessId: 'auth-pass', variables: { a: 1 } });

    // then
    expect(result.variables).toEqual({ a: 1 });
  });

  test('a client without credentials is refused with UNAUTHENTICATED', async () => {
    // given
    const zbc = grpcClient({ ZEEBE_GRPC_ADDRESS: te.gatewayAddress, CAMUNDA_AUTH_STRATEGY: 'NONE' });

    // when
    const err = await expectRefused(zbc.topology());

    // then
    expect(err.code).toBe(16);
    expect(err.message).toContain('Expected bearer token or basic credentials at header with key [authorization]');
  });

  test('a wrong token is refused with UNAUTHENTICATED', async () => {
    // given
    const zbc = grpcClient({
      ZEEBE_GRPC_ADDRESS: te.gatewayAddress,
      CAMUNDA_AUTH_STRATEGY: 'BEARER',
      CAMUNDA_OAUTH_TOKEN: 's3cret-tokeN',
    });

    // when
    const err = await expectRefused(zbc.createProcessInstance({ bpmnProcessId: 'auth-pass', variables: {} }));

    // then
    expect(err.code).toBe(16);
    expect(err.message).toContain('they were not accepted');
  });

  test('REST: the CamundaRestClient with the token is served; a request without one gets 401 problem+json', async () => {
    // given
    const rest = restClient({
      ZEEBE_REST_ADDRESS: te.restAddress,
      CAMUNDA_AUTH_STRATEGY: 'BEARER',
      CAMUNDA_OAUTH_TOKEN: 's3cret-token',
    });

    // when
    const topology = await rest.getTopology();
    const anonymous = await fetch(`${te.restAddress}/v2/topology`);
    const wrong = await fetch(`${te.restAddress}/v2/process-instances/search`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
      body: '{}',
    });

    // then
    expect(topology.gatewayVersion).toMatch(/^8\.8\./);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(await anonymous.json()).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'Expected bearer token or basic credentials at header with key [authorization], but found nothing',
      instance: '/v2/topology',
    });
    expect(wrong.status).toBe(401);
  });
});

describe('basic credentials (ENGINE_AUTH_USERNAME / ENGINE_AUTH_PASSWORD)', () => {
  let te: TestEngine;
  beforeAll(async () => {
    te = await startTestEngine({ rest: true, auth: { username: 'zeebe', password: 'pa:ss wörd' } });
  });
  afterAll(() => te.stop());

  test('a BASIC client is served over gRPC and REST; a wrong password and a bearer token are refused', async () => {
    // given
    const basic = {
      CAMUNDA_AUTH_STRATEGY: 'BASIC',
      CAMUNDA_BASIC_AUTH_USERNAME: 'zeebe',
      CAMUNDA_BASIC_AUTH_PASSWORD: 'pa:ss wörd',
    };
    const zbc = grpcClient({ ZEEBE_GRPC_ADDRESS: te.gatewayAddress, ...basic });
    const rest = restClient({ ZEEBE_REST_ADDRESS: te.restAddress, ...basic });
    const wrong = grpcClient({ ...basic, ZEEBE_GRPC_ADDRESS: te.gatewayAddress, CAMUNDA_BASIC_AUTH_PASSWORD: 'pa:ss' });
    const bearer = grpcClient({
      ZEEBE_GRPC_ADDRESS: te.gatewayAddress,
      CAMUNDA_AUTH_STRATEGY: 'BEARER',
      CAMUNDA_OAUTH_TOKEN: 'zeebe',
    });

    // when
    const topology = await zbc.topology();
    const deployed = await rest.deployResources([{ name: 'pass.bpmn', content: passXml }]);
    const wrongErr = await expectRefused(wrong.topology());
    const bearerErr = await expectRefused(bearer.topology());

    // then
    expect(topology.brokers).toHaveLength(1);
    expect(deployed.processes[0].processDefinitionId).toBe('auth-pass');
    expect(wrongErr.code).toBe(16);
    expect(bearerErr.code).toBe(16);
    expect(bearerErr.message).toContain(
      "Expected Basic credentials at header with key [authorization], but found the scheme 'bearer'",
    );
  });
});

describe('TLS (ENGINE_TLS_CERT / ENGINE_TLS_KEY) with a bearer token', () => {
  let te: TestEngine;
  let cert: string;
  beforeAll(async () => {
    // A self-signed certificate for 127.0.0.1, made for this test.
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        {
          name: 'subjectAltName',
          altNames: [
            { type: 7, ip: '127.0.0.1' },
            { type: 2, value: 'localhost' },
          ],
        },
      ],
    });
    cert = pems.cert;
    te = await startTestEngine({
      rest: true,
      auth: { token: 'tls-token' },
      tls: { cert: pems.cert, key: pems.private },
    });
  });
  afterAll(() => te.stop());

  test('a grpcs:// client trusting the certificate runs an instance; REST answers over https', async () => {
    // given
    const secure = {
      CAMUNDA_AUTH_STRATEGY: 'BEARER',
      CAMUNDA_OAUTH_TOKEN: 'tls-token',
      CAMUNDA_CUSTOM_ROOT_CERT_STRING: cert,
    };
    expect(te.gatewayAddress).toMatch(/^grpcs:\/\//);
    expect(te.restAddress).toMatch(/^https:\/\//);
    const zbc = grpcClient({ ...secure, ZEEBE_GRPC_ADDRESS: te.gatewayAddress });
    const rest = restClient({ ...secure, ZEEBE_REST_ADDRESS: te.restAddress });

    // when
    await zbc.deployResource({ process: Buffer.from(passXml), name: 'pass.bpmn' });
    const result = await zbc.createProcessInstanceWithResult({ bpmnProcessId: 'auth-pass', variables: { tls: true } });
    const topology = await rest.getTopology();
    const plain = await fetch(te.restAddress.replace('https://', 'http://') + '/v2/topology').then(
      (r) => r.status,
      () => 'refused',
    );

    // then
    expect(result.variables).toEqual({ tls: true });
    expect(topology.gatewayVersion).toMatch(/^8\.8\./);
    expect(plain).not.toBe(200);
  });

  test('the harness client (te.client()) carries the certificate and the token', async () => {
    // when
    const topology = await te.client().topology();

    // then
    expect(topology.gatewayVersion).toMatch(/^8\.8\./);
  });
});
