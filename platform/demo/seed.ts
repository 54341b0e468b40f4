/**
 * Demo-mode seeding (DEMO=1 only; the platform calls it after the auth bootstrap). Idempotent: the
 * registry and lanes are upserted, contacts are added only to departments that have none, the
 * sample catalog only into an empty catalog, and the labelled history only once per database.
 */
import type { Knex } from 'knex';
import { seedCatalog } from '../../domain/catalog/seed-catalog';
import { DEPARTMENTS } from '../../domain/departments/departments';
import { upsertLanes } from '../../domain/fire-lane/lanes';
import { upsertVehicles } from '../../domain/fire-lane/vehicle-registry';
import { DEMO_LANES, DEMO_VEHICLES, demoContacts } from './demo-data';
import { seedDemoHistory, type HistorySummary } from './history';

export interface DemoSeedResult {
  vehicles: number;
  lanes: number;
  contactsAdded: number;
  history: HistorySummary | 'already seeded';
}

export interface DemoSeedOptions {
  log?: { info(obj: object, msg: string): void };
  now?: Date;
  /** History size (default: 360 one-window cases and 220 fire-lane cases over 90 days). */
  historyCases?: number;
  historyFireLaneCases?: number;
}

export async function seedDemoData(db: Knex, options: DemoSeedOptions = {}): Promise<DemoSeedResult> {
  const now = options.now ?? new Date();
  const [{ n: situations }] = await db('catalog_situation').count<{ n: string }[]>({ n: '*' });
  if (Number(situations) === 0) await seedCatalog(db);
  await upsertVehicles(db, [...DEMO_VEHICLES], { source: 'demo', now });
  await upsertLanes(db, [...DEMO_LANES], now);
  const withContacts = new Set(
    (await db('department_contact').distinct('department')).map((r: { department: string }) => r.department),
  );
  const contacts = demoContacts(DEPARTMENTS.map((d) => d.code)).filter((c) => !withContacts.has(c.department));
  if (contacts.length) await db('department_contact').insert(contacts);
  const history = await seedDemoHistory(db, {
    now,
    cases: options.historyCases,
    fireLaneCases: options.historyFireLaneCases,
  });
  const result = { vehicles: DEMO_VEHICLES.length, lanes: DEMO_LANES.length, contactsAdded: contacts.length, history };
  options.log?.info(
    result,
    'demo data seeded (vehicle registry 浙B10001…浙B10020, lanes, department contacts, labelled sample history)',
  );
  return result;
}
