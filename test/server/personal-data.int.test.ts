/**
 * Personal data (个人信息保护法, docs/security.md "Personal data (PIPL)"): reporters' names and phones
 * are sealed at rest and found by a keyed hash; every view masks them; the unmasked reporter comes only
 * with a reason and leaves an access record admins can list; old rows are sealed by the start-up
 * backfill and re-wrapped by a key rotation; a confidential report (举报人保密) shows its reporter to
 * confidential-reader users only — not to other staff, the tracking page or the SMS log.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyringOf, loadPrivacyConfig } from '../../domain/privacy/config';
import { countUnsealed, openCase, sealAll } from '../../domain/privacy/personal-data';
import { PiiKeyring, piiKeyring, setPiiKeyring } from '../../domain/privacy/pii-crypto';
import { EnvError } from '../../domain/config/env';
import { startTestApp, type TestApp, type TestClient } from './helpers/app';

const PHONE = '13912345678';
const key = () => crypto.randomBytes(32);

describe('the master key and the envelope', () => {
  it('seals a value so the stored text holds neither the phone nor its digits, and opens it again', () => {
    // given a keyring
    const ring = new PiiKeyring(key());
    // when a phone is sealed twice
    const a = ring.encrypt(PHONE);
    const b = ring.encrypt(PHONE);
    // then neither copy shows the number, each has its own data key, and both open to it
    expect(a).toMatch(/^pii1:[0-9a-f]{8}:/);
    expect(a).not.toContain('5678');
    expect(a).not.toBe(b);
    expect(ring.decrypt(a)).toBe(PHONE);
    expect(ring.decrypt(b)).toBe(PHONE);
    // and a tampered value is refused rather than opened to something else
    const parts = a.split(':');
    const body = Buffer.from(parts[3], 'base64url');
    body[14] ^= 1;
    const tampered = [...parts.slice(0, 3), body.toString('base64url')].join(':');
    expect(() => ring.decrypt(tampered)).toThrow();
  });

  it('rotation re-wraps the data key only, and a ring with the old key listed still reads old values', () => {
    // given a value sealed under the old key
    const oldKey = key();
    const sealed = new PiiKeyring(oldKey).encrypt(PHONE);
    // when the platform runs with a new key and the old one listed
    const ring = new PiiKeyring(key(), [oldKey]);
    // then it reads the old value and re-wraps it under the new key, the sealed body unchanged
    expect(ring.decrypt(sealed)).toBe(PHONE);
    const rewrapped = ring.rewrap(sealed);
    expect(ring.keyIdOf(rewrapped)).toBe(ring.currentId);
    expect(rewrapped.split(':')[3]).toBe(sealed.split(':')[3]);
    // and a ring without the old key cannot open the old value, but opens the re-wrapped one
    const newOnly = new PiiKeyring((ring as any).keys.get(ring.currentId));
    expect(() => newOnly.decrypt(sealed)).toThrow(/PII_MASTER_KEYS_OLD/);
    expect(newOnly.decrypt(rewrapped)).toBe(PHONE);
    // and the phone's search hash is the same for every spelling of the number
    expect(ring.phoneHash('+86 139 1234 5678')).toBe(ring.phoneHash(PHONE));
    expect(ring.phoneHashes(PHONE)).toHaveLength(2);
  });

  it('without a configured key: an error with DATABASE_URL outside demo mode; on one machine a key file made once, 0600, reused', () => {
    // given no PII_MASTER_KEY and an empty data directory
    const config = loadPrivacyConfig({});
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onematter-pii-'));
    const localKeyFile = path.join(dir, 'pii-master.key');
    try {
      // when the keyring is made for a PostgreSQL server outside demo mode, then the error names the variable
      const shared = { demo: false, sharedDatabase: true, localKeyFile, log: () => {} };
      expect(() => keyringOf(config, shared)).toThrow(EnvError);
      expect(() => keyringOf(config, shared)).toThrow(/PII_MASTER_KEY/);
      expect(fs.existsSync(localKeyFile)).toBe(false);
      // when made on the embedded database, then a key file is written once (0600) and said so
      const logged: string[] = [];
      const local = { demo: false, sharedDatabase: false, localKeyFile, log: (m: string) => logged.push(m) };
      const first = keyringOf(config, local);
      expect(fs.statSync(localKeyFile).mode & 0o777).toBe(0o600);
      expect(logged.join()).toMatch(/PII_MASTER_KEY is not set.*pii-master\.key/);
      // and the next start reads the same key: what the first sealed, the second opens
      const second = keyringOf(config, { ...local, log: (m: string) => logged.push(m) });
      expect(logged).toHaveLength(1);
      expect(second.phoneHash(PHONE)).toBe(first.phoneHash(PHONE));
      // and demo mode on a server uses the local file too
      expect(keyringOf(config, { ...shared, demo: true }).phoneHash(PHONE)).toBe(first.phoneHash(PHONE));
      // and a damaged key file is an error naming it, never silently replaced
      fs.writeFileSync(localKeyFile, 'c2hvcnQ=');
      expect(() => keyringOf(config, local)).toThrow(/pii-master\.key.*32 bytes/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // and a malformed key is refused by the configuration reader
    expect(() => loadPrivacyConfig({ PII_MASTER_KEY: 'c2hvcnQ=' })).toThrow(/32 random bytes/);
  });
});

describe('reporters’ personal data over HTTP', () => {
  let t: TestApp;
  let supervisor: TestClient;
  let admin: TestClient;
  beforeAll(async () => {
    t = await startTestApp();
    supervisor = await t.loginAs('supervisor');
    admin = await t.loginAs('admin');
  });
  afterAll(() => t.close());

  const report = (extra: Record<string, unknown> = {}) =>
    t.client().post('/api/cases', {
      description: '楼道灯坏了',
      reporter: { name: '王小明', phone: PHONE },
      ...extra,
    });

  it('stores the reporter sealed, finds the case by phone, and masks the reporter in every view', async () => {
    // when a resident reports a problem
    const res = await report();
    expect(res.status).toBe(202); // filed; no engine here, so its start is pending
    const { id, caseNo } = res.body;

    // then the row holds no plaintext name or phone, but a search hash
    const row = await t.testDb.db('case').where({ id }).first();
    expect(row.reporter_phone).toMatch(/^pii1:/);
    expect(row.reporter_name).toMatch(/^pii1:/);
    expect(JSON.stringify(row)).not.toContain('5678');
    expect(JSON.stringify(row)).not.toContain('王小明');
    expect(row.reporter_phone_hash).toBe(piiKeyring().phoneHash(PHONE));
    // and the tracking page still finds it by the phone, showing the phone masked
    const tracked = await t.client().get(`/api/cases/${caseNo}?phone=${encodeURIComponent('+86 139-1234-5678')}`);
    expect(tracked.status).toBe(200);
    expect(tracked.body.reporter).toEqual({ name: '王**', phone: '139****5678', confidential: false });
    // and the staff view is masked too
    const staff = await supervisor.get(`/api/cases/${id}`);
    expect(staff.body.reporter).toEqual({ name: '王**', phone: '139****5678', confidential: false });
  });

  it('answers the unmasked reporter only with a reason, and records who, when, which case and why', async () => {
    // given a case
    const { id, caseNo } = (await report()).body;

    // when the supervisor asks without a reason, then it is refused
    const bare = await supervisor.get(`/api/cases/${id}/reporter`);
    expect(bare.status).toBe(400);
    // and a clerk of a department without the case is refused
    const clerk = await t.loginAs('clerk.housing');
    expect((await clerk.get(`/api/cases/${id}/reporter?reason=${encodeURIComponent('回访核实')}`)).status).toBe(403);

    // when the supervisor gives one
    const before = await t.testDb.db('audit_log').where({ action: 'VIEW personal-data' }).count({ n: '*' });
    const seen = await supervisor.get(`/api/cases/${id}/reporter?reason=${encodeURIComponent('回访核实')}`);

    // then the answer is unmasked
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual({ caseId: id, caseNo, name: '王小明', phone: PHONE, confidential: false });
    // and one access record names the viewer, the case, the fields and the reason
    const records = await t.testDb.db('audit_log').where({ action: 'VIEW personal-data' }).orderBy('id');
    expect(records.length).toBe(Number(before[0].n) + 1);
    const last = records[records.length - 1];
    expect(last).toMatchObject({ actor: 'supervisor', target: `case=${caseNo}, fields=reporter_name+reporter_phone` });
    expect(last.detail).toMatchObject({ reason: '回访核实' });
    // and admins list the access records through the audit log
    const listed = await admin.get('/api/admin/audit?q=personal-data');
    expect(listed.status).toBe(200);
    expect(listed.body.items[0]).toMatchObject({ actor: 'supervisor', detail: { reason: '回访核实' } });
  });

  it('a confidential report shows its reporter as 保密 to everyone but confidential-reader users', async () => {
    // given a confidential report, and a supervisor who also holds confidential-reader
    const res = await report({ confidential: true });
    expect(res.status).toBe(202); // filed; no engine here, so its start is pending
    const { id, caseNo } = res.body;
    const created = await admin.post('/api/admin/users', {
      username: 'pipl.reader',
      displayName: '保密查阅',
      roles: ['supervisor', 'confidential-reader'],
      departments: [],
    });
    expect(created.status).toBe(201);
    const reader = await t.loginAs('pipl.reader', created.body.password);

    // when other staff and the reporter's tracking page look at it, then they see 保密
    const staff = await supervisor.get(`/api/cases/${id}`);
    expect(staff.body.reporter).toEqual({ name: '保密', phone: '保密', confidential: true });
    const tracked = await t.client().get(`/api/cases/${caseNo}?phone=${PHONE}`);
    expect(tracked.status).toBe(200);
    expect(tracked.body.reporter).toEqual({ name: '保密', phone: '保密', confidential: true });
    // and the supervisor without the role may not unmask it
    const refused = await supervisor.get(`/api/cases/${id}/reporter?reason=${encodeURIComponent('核实')}`);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/confidential-reader/);

    // when the confidential reader looks, then the view is masked and the reason-given view is unmasked
    expect((await reader.get(`/api/cases/${id}`)).body.reporter).toEqual({
      name: '王**',
      phone: '139****5678',
      confidential: true,
    });
    const seen = await reader.get(`/api/cases/${id}/reporter?reason=${encodeURIComponent('依法核实举报人')}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ name: '王小明', phone: PHONE, confidential: true });
  });

  it('seals plaintext rows from before encryption and re-wraps them after a key rotation, idempotently', async () => {
    // given a row written in plaintext (before this release) and the current ring
    const { id } = (await report()).body;
    await t.testDb
      .db('case')
      .where({ id })
      .update({ reporter_phone: PHONE, reporter_name: '李四', reporter_phone_hash: null });
    const ring = piiKeyring();

    // when the start-up backfill runs
    const first = await sealAll(t.testDb.db, ring);
    // then the row is sealed, hashed and reads as before; a second run finds nothing
    expect(first.cases).toBeGreaterThanOrEqual(1);
    const row = await t.testDb.db('case').where({ id }).first();
    expect(row.reporter_phone).toMatch(/^pii1:/);
    expect(row.reporter_phone_hash).toBe(ring.phoneHash(PHONE));
    expect(openCase(row, ring)).toMatchObject({ reporter_phone: PHONE, reporter_name: '李四' });
    expect(await sealAll(t.testDb.db, ring)).toEqual({ cases: 0, vehicles: 0, notifications: 0 });

    // when the master key is rotated (new key, old one listed) and the rotation runs
    const oldKey = (ring as any).keys.get(ring.currentId) as Buffer;
    const rotated = new PiiKeyring(key(), [oldKey]);
    setPiiKeyring(rotated);
    try {
      expect(await countUnsealed(t.testDb.db, rotated)).toBeGreaterThan(0);
      // the platform keeps serving during the rotation: the tracking page finds the case by either hash
      expect((await t.client().get(`/api/cases/${id}?phone=${PHONE}`)).status).toBe(200);
      await sealAll(t.testDb.db, rotated);
      // then nothing is left under the old key, and a ring with only the new key reads the row
      expect(await countUnsealed(t.testDb.db, rotated)).toBe(0);
      const after = await t.testDb.db('case').where({ id }).first();
      const newOnly = new PiiKeyring((rotated as any).keys.get(rotated.currentId));
      expect(openCase(after, newOnly).reporter_phone).toBe(PHONE);
      expect(after.reporter_phone_hash).toBe(newOnly.phoneHash(PHONE));
    } finally {
      setPiiKeyring(ring);
    }
  });
});
