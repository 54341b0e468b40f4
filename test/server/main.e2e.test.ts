import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { createDb } from '../../db/knex';
import { createTestDatabase } from '../helpers/db';

const ROOT = path.resolve(__dirname, '../..');

/** `node --import tsx platform/main.ts` as `npm start` runs it (no tsx relay process in between), with its JSON log lines collected as they come. */
interface Started {
  child: ChildProcess;
  lines: Array<Record<string, any>>;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line `match` accepts; rejects if the process exits first. */
  waitForLog(match: (line: Record<string, any>) => boolean): Promise<Record<string, any>>;
}

function startMain(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'platform/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, any>> = [];
  const waiters: Array<() => void> = [];
  let err = '';
  child.stderr!.on('data', (chunk) => (err += chunk));
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line));
    } catch {
      lines.push({ msg: line });
    }
    waiters.forEach((w) => w());
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      waiters.forEach((w) => w());
    }),
  );
  return {
    child,
    lines,
    exited,
    stderr: () => err,
    waitForLog(match) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (found) resolve(found);
          else if (child.exitCode !== null || child.signalCode !== null)
            reject(
              new Error(
                `exited (${child.exitCode ?? child.signalCode}) before the expected log line.\nstdout:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\nstderr:\n${err}`,
              ),
            );
        };
        waiters.push(check);
        check();
      });
    },
  };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const isUp = (l: Record<string, any>) => typeof l.msg === 'string' && l.msg.startsWith('OneMatter is up at ');

describe('npm start (platform/main.ts)', () => {
  let dataDir: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let running: Started | undefined;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onematter-main-'));
    database = await createTestDatabase();
  });
  afterEach(async () => {
    // a failed test must not leave its server behind
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    running = undefined;
  });
  afterAll(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  });

  /** The same database the child uses: PGlite under DATA_DIR, or the PostgreSQL test database. */
  const openDb = () => createDb(database ? { databaseUrl: database.url } : { pgliteDir: path.join(dataDir, 'pg') });

  it('fails fast, naming the bad variable, when the environment is invalid', async () => {
    // given a port that is not a number
    const started = Date.now();

    // when it starts
    running = startMain({ PORT: 'abc', DATA_DIR: dataDir });
    const { code } = await running.exited;

    // then it exits non-zero within seconds and says which variable is wrong
    expect(code).toBe(1);
    expect(running.stderr()).toContain('PORT="abc"');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(fs.existsSync(path.join(dataDir, 'pg'))).toBe(false);
  });

  it('answers /healthz 503 naming the engine when ZEEBE_GRPC_ADDRESS points where nothing listens, and exits 0 on SIGTERM', async () => {
    // given a Zeebe cluster address whose port is closed
    const external = fs.mkdtempSync(path.join(os.tmpdir(), 'onematter-external-'));
    const port = await closedPort();
    try {
      running = startMain({
        DATA_DIR: external,
        PORT: '0',
        HOST: '127.0.0.1',
        ZEEBE_GRPC_ADDRESS: `grpc://127.0.0.1:${port}`,
        DATABASE_URL: '',
      });

      // when it is up and /healthz is asked
      const up = await running.waitForLog(isUp);
      const res = await fetch(`${up.url}/healthz`);

      // then the database is fine and the engine error names the address
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'unavailable',
        db: 'ok',
        engine: expect.stringContaining(`127.0.0.1:${port}`),
        details: {
          calendar: expect.objectContaining({
            status: expect.stringMatching(/^(ok|fallback)$/),
            coveredFrom: '2025-01-01',
          }),
          intake: { pendingStarts: 0, oldestSince: null, lastError: null },
        },
      });
      expect(up.engine).toBe('external');

      // and SIGTERM stops it with exit code 0
      running.child.kill('SIGTERM');
      expect(await running.exited).toEqual({ code: 0, signal: null });
    } finally {
      fs.rmSync(external, { recursive: true, force: true });
    }
  });

  it('serves /healthz 200 on an empty DATA_DIR with the embedded engine, exits 0 on SIGTERM, and keeps its data across a restart', async () => {
    // given an empty data directory and no Zeebe cluster: the embedded engine runs (on a free port)
    const env = {
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      ENGINE_PORT: '0',
      ZEEBE_GRPC_ADDRESS: '',
      DATABASE_URL: database?.url ?? '',
      // a PostgreSQL server needs the shared master key; the embedded database keeps one in DATA_DIR
      PII_MASTER_KEY: database?.url ? crypto.randomBytes(32).toString('base64') : '',
    };

    // when it starts for the first time
    running = startMain(env);
    const up = await running.waitForLog(isUp);
    const migrated = running.lines.find((l) => l.msg === 'database migrated')!;

    // then it migrated the empty database (engine and application) and /healthz is all green
    expect(migrated.applied.engine.length).toBeGreaterThan(0);
    expect(migrated.applied.app.length).toBeGreaterThan(0);
    expect(up.engine).toBe('embedded');
    // and on the embedded database it made its personal-data key once, readable by the owner only
    if (!database) expect(fs.statSync(path.join(dataDir, 'pii-master.key')).mode & 0o777).toBe(0o600);
    const res = await fetch(`${up.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      db: 'ok',
      engine: 'ok',
      details: {
        calendar: expect.objectContaining({
          status: expect.stringMatching(/^(ok|fallback)$/),
          coveredFrom: '2025-01-01',
        }),
        intake: { pendingStarts: 0, oldestSince: null, lastError: null },
      },
    });

    // when it gets SIGTERM
    running.child.kill('SIGTERM');

    // then it stops cleanly with exit code 0
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(running.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'OneMatter stopped']));

    // given a row written while it was down
    const db = openDb();
    await db('department').insert({
      code: 'e2e-restart-check',
      name_zh: '文教街道',
      name_en: 'Wenjiao Street',
      kind: 'street',
    });
    await db.destroy();

    // when it starts again on the same data
    running = startMain(env);
    const again = await running.waitForLog(isUp);

    // then there is nothing left to migrate, it serves again, and stops again cleanly
    expect(running.lines.find((l) => l.msg === 'database migrated')!.applied).toEqual({ engine: [], app: [] });
    expect((await fetch(`${again.url}/healthz`)).status).toBe(200);
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });

    // and the row is still there
    const after = openDb();
    try {
      expect(await after('department').where({ code: 'e2e-restart-check' }).pluck('name_zh')).toEqual(['文教街道']);
    } finally {
      await after.destroy();
    }
  });
});
