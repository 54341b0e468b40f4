import net from 'node:net';
import { Camunda8 } from '@camunda8/sdk';
import { bpmn, chain, deploy, engineForTest } from './helpers';

/**
 * The gateway advertises `grpc-accept-encoding: identity`: the SDK (which gzips requests by
 * default) sends a channel's later calls uncompressed. Observed on the wire through a TCP relay
 * that counts the bytes the client sends.
 */
describe('gateway request compression', () => {
  test('after the first response the SDK stops gzipping its requests; gzipped requests still work', async () => {
    // given an engine behind a byte-counting TCP relay, and an SDK client on the relay
    const ctx = await engineForTest();
    let sent = 0;
    const relay = net.createServer((down) => {
      const [host, port] = ctx.te.engine.address.split(':');
      const up = net.connect(Number(port), host);
      down.on('data', (b) => {
        sent += b.length;
        up.write(b);
      });
      up.pipe(down);
      down.on('error', () => up.destroy());
      up.on('error', () => down.destroy());
      down.on('close', () => up.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const zbc = new Camunda8({
      ZEEBE_GRPC_ADDRESS: `grpc://127.0.0.1:${(relay.address() as net.AddressInfo).port}`,
      CAMUNDA_AUTH_STRATEGY: 'NONE',
      zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: 'NONE' },
    } as any).getZeebeGrpcApiClient();
    try {
      await deploy(ctx.zbc, 'z.bpmn', bpmn('z', `<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>${chain('s', 'e')}`));
      const payload = { text: 'a'.repeat(100_000) }; // gzips to a few hundred bytes
      const bytesOf = async () => {
        const before = sent;
        const r = await zbc.createProcessInstance({ bpmnProcessId: 'z', variables: payload });
        expect(r.processInstanceKey).toMatch(/^\d+$/);
        return sent - before;
      };

      // when the client sends the same request twice on one channel
      const first = await bytesOf();
      const second = await bytesOf();

      // then the first went gzipped (the client knew nothing of the server yet) and was accepted,
      // and the second went as it is, because the server asked for identity
      expect(first).toBeLessThan(10_000);
      expect(second).toBeGreaterThan(100_000);
    } finally {
      await zbc.close();
      relay.close();
      await ctx.stop();
    }
  });
});
