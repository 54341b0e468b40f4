/** The lanes cameras watch: lane id → name for the SMS, compound for the figures, who goes on site. */
import type { Knex } from 'knex';

export interface FireLane {
  id: string;
  name: string;
  compound: string;
  street: string | null;
  propertyCompany: string | null;
  propertyContactName: string | null;
  propertyContactPhone: string | null;
  /** Department sent on site after the grace period; null → fire-rescue (the model's default). */
  onSiteDepartment: string | null;
}

export async function findLane(db: Knex, laneId: string): Promise<FireLane | undefined> {
  const r = await db('fire_lane').where({ id: laneId, active: true }).first();
  return r
    ? {
        id: r.id,
        name: r.name,
        compound: r.compound,
        street: r.street,
        propertyCompany: r.property_company,
        propertyContactName: r.property_contact_name,
        propertyContactPhone: r.property_contact_phone,
        onSiteDepartment: r.on_site_department,
      }
    : undefined;
}

export async function upsertLanes(db: Knex, lanes: FireLane[], now: Date = new Date()): Promise<void> {
  if (!lanes.length) return;
  await db('fire_lane')
    .insert(
      lanes.map((l) => ({
        id: l.id,
        name: l.name,
        compound: l.compound,
        street: l.street,
        property_company: l.propertyCompany,
        property_contact_name: l.propertyContactName,
        property_contact_phone: l.propertyContactPhone,
        on_site_department: l.onSiteDepartment,
        active: true,
        updated_at: now,
      })),
    )
    .onConflict('id')
    .merge();
}
