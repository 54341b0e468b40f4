import { Writable } from 'node:stream';
import pino from 'pino';
import { startTestApp, type TestApp } from './helpers/app';

/** Checks the Prometheus text format line by line; returns the samples as `name{labels}` → value. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        typed.add(meta[2]);
      }
      continue;
    }
    const m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)( \d+)?$/.exec(
        line,
      );
    if (!m) throw new Error(`Expected a sample line, but got: ${line}`);
    const family = m[1].replace(/_(bucket|sum|count|total|created)$/, '');
    expect(typed.has(m[1]) || typed.has(family)).toBe(true);
    samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return samples;
}

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('exposes HTTP durations by route pattern, process metrics, and task / case gauges by light', async () => {
    // given some traffic and open tasks (one red, one yellow) plus a completed one
    await t.client().get('/api/departments');
    await t.client().get('/api/departments');
    await t.client().get('/api/no-such-thing/13812345678');
    const base = {
      process_instance_key: '1',
      element_instance_key: '2',
      element_id: 'Task',
      bpmn_process_id: 'p',
      name: 'T',
    };
    await t.testDb.db('task').insert([
      { ...base, id: 't1', job_key: '11', light: 'red' },
      { ...base, id: 't2', job_key: '12', light: 'yellow' },
      { ...base, id: 't3', job_key: '13', light: 'red', state: 'completed' },
    ]);

    // when Prometheus scrapes
    const res = await t.client().get('/metrics');

    // then the text format parses and carries the figures
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseExposition(res.text);
    expect(
      samples.get('onematter_http_request_duration_seconds_count{method="GET",route="/api/departments",status="200"}'),
    ).toBe(2);
    // unmatched URLs share one label value: no phone number or id becomes a label
    expect(
      samples.get('onematter_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}'),
    ).toBe(1);
    expect(res.text).not.toContain('13812345678');
    expect(samples.get('onematter_tasks_open{light="red"}')).toBe(1);
    expect(samples.get('onematter_tasks_open{light="yellow"}')).toBe(1);
    expect(samples.get('onematter_tasks_open{light="green"}')).toBe(0);
    expect(samples.get('onematter_cases_open{light="red"}')).toBe(0);
    expect([...samples.keys()].some((k) => k.startsWith('process_cpu_user_seconds_total'))).toBe(true);
  });

  it('requires the token when METRICS_TOKEN is set', async () => {
    // given an app with METRICS_TOKEN
    const secured = await t.spawn({ env: { METRICS_TOKEN: 'metrics-token-for-the-test' } });
    try {
      // when scraped without, with a wrong and with the right token
      const none = await secured.client().get('/metrics');
      const wrong = await secured.client().get('/metrics', { headers: { authorization: 'Bearer nope' } });
      const right = await secured
        .client()
        .get('/metrics', { headers: { authorization: 'Bearer metrics-token-for-the-test' } });

      // then
      expect([none.status, wrong.status, right.status]).toEqual([401, 401, 200]);
      expect(right.text).toContain('onematter_http_request_duration_seconds');
    } finally {
      await secured.close();
    }
  });

  it.each([
    ['outside demo mode', '0', 403, 'GET /metrics is closed'],
    ['in demo mode', '1', 200, 'GET /metrics is open without a token (demo mode)'],
  ])(
    'without METRICS_TOKEN %s (DEMO=%s): scraping answers %i and the start log says so',
    async (_, demo, status, logged) => {
      // given an app without METRICS_TOKEN whose log is kept
      const lines: string[] = [];
      const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
      const app = await t.spawn({ env: { DEMO: demo }, context: { log } });
      try {
        // when scraped without a token
        const res = await app.client().get('/metrics');

        // then
        expect(res.status).toBe(status);
        if (status === 403) {
          expect(res.headers.get('content-type')).toContain('application/problem+json');
          expect(res.body.detail).toContain('METRICS_TOKEN');
          expect(res.text).not.toContain('onematter_http_request_duration_seconds');
        } else expect(res.text).toContain('onematter_http_request_duration_seconds');
        expect(lines.some((l) => l.includes(logged))).toBe(true);
      } finally {
        await app.close();
      }
    },
  );

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const given = await t.client().get('/api/departments', { headers: { 'x-request-id': 'lb-1234.abc' } });
    const made = await t.client().get('/api/departments');
    const hostile = await t.client().get('/api/departments', { headers: { 'x-request-id': 'a b;<script>' } });
    expect(given.headers.get('x-request-id')).toBe('lb-1234.abc');
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('puts the request id on the request’s log lines, without cookies or phone numbers', async () => {
    // given an app logging into memory, and a logged-in user
    const lines: any[] = [];
    const sink = new Writable({
      write: (chunk, _enc, done) => (
        lines.push(
          ...String(chunk)
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l)),
        ),
        done()
      ),
    });
    const logged = await t.spawn({ context: { log: pino({ level: 'info' }, sink) } });
    try {
      const c = await logged.loginAs('supervisor');

      // when a request with an id arrives
      await c.get('/api/departments?phone=13812345678', { headers: { 'x-request-id': 'trace-me-1' } });

      // then its completion line carries the id, and neither the session cookie nor the phone
      const line = lines.find((l) => l.reqId === 'trace-me-1');
      expect(line).toMatchObject({
        req: { method: 'GET' },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      });
      expect(JSON.stringify(lines)).not.toContain(c.cookies.get('om_session')!);
      expect(JSON.stringify(lines)).not.toContain('13812345678');
    } finally {
      await logged.close();
    }
  });
});
