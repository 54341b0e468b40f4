import type { Knex } from 'knex';

/**
 * Fire lane (issue 6): the vehicle registry, the lanes the cameras watch, one offence row per
 * fire-lane case, and the credit-list flags of repeat offenders.
 *
 * - `vehicle`: plate → owner (name, mobile), imported from CSV (`npm run vehicles:import`). The
 *   look-up is by primary key on the hot path (detection → notice SMS).
 * - `fire_lane`: a camera's lane id → its name (what the SMS says), compound (小区/园区, the unit the
 *   figures are grouped by), property company and contact, and who goes on site (`fire-rescue` unless
 *   the lane names another department, e.g. `property` for a residential lane).
 * - `fire_lane_offence`: one row per fire-lane case, written in the same transaction that opens the
 *   case (no extra transaction per event). Why a table and not counts derived from cases/device events:
 *   the repeat count must be per plate over a sliding 90 days and is read for every case; a
 *   (plate, detected_at) index answers it with one short index range scan, whereas deriving it
 *   means joining device_event (every repeat detection, several per case) to case and de-duplicating.
 *   The row also keeps what was decided at the time (the offence number, penalty notice, credit flag)
 *   so a later change to the thresholds does not rewrite history, and it carries the detection and
 *   receipt instants from which the detection → SMS-queued → SMS-sent figures are computed (the SMS
 *   instants live on the notice's `notification` row, key `<caseId>:notice`).
 *   Merged repeat detections of an open case are not offences; cancelled cases (engine down) are
 *   excluded when counting.
 * - `credit_flag`: a plate put on the credit list (失信名单) when its 90-day offence count reaches
 *   the credit threshold; one open flag per plate, with the case that triggered it.
 * - `device_event.status` gains `pending`: a detection held back by the dwell threshold
 *   (`FIRE_LANE_DWELL_SECONDS`) that has not (yet) opened a case.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('vehicle', (t) => {
    t.string('plate', 16).primary(); // normalised: upper case, no spaces or dots (浙B10001)
    t.string('owner_name', 100).notNullable();
    t.string('owner_phone', 32).notNullable(); // full number: only the SMS dispatcher sees it unmasked
    t.string('compound', 100); // where the owner lives/works, if known
    t.string('source', 40).notNullable().defaultTo('import'); // import | demo | api
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('fire_lane', (t) => {
    t.string('id', 100).primary(); // the lane id cameras send (laneId)
    t.string('name', 100).notNullable(); // e.g. 庄桥花园3号楼北侧 — goes into the SMS (≤ 35 characters)
    t.string('compound', 100).notNullable(); // e.g. 庄桥花园
    t.string('street', 64).references('code').inTable('department'); // street office / town, if known
    t.string('property_company', 200);
    t.string('property_contact_name', 100);
    t.string('property_contact_phone', 32);
    t.string('on_site_department', 64).references('code').inTable('department'); // null → fire-rescue
    t.boolean('active').notNullable().defaultTo(true);
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['compound']);
  });

  await knex.schema.createTable('fire_lane_offence', (t) => {
    t.string('case_id', 40).primary().references('id').inTable('case').onDelete('CASCADE');
    t.string('plate', 32).notNullable();
    t.string('lane_id', 100).notNullable();
    t.string('compound', 100); // copied from fire_lane when the case opened (lanes may be renamed later)
    t.timestamp('detected_at', { useTz: true }).notNullable(); // the camera's first sighting
    t.timestamp('received_at', { useTz: true }).notNullable(); // when the detection that opened the case arrived
    t.boolean('known_plate'); // null until the look-up ran
    t.integer('offence_no'); // this plate's offences in the window up to and including this one
    t.timestamp('penalty_notice_at', { useTz: true });
    t.timestamp('credit_flagged_at', { useTz: true });
    t.boolean('sample').notNullable().defaultTo(false); // demo history (clearly labelled sample data)
    t.index(['plate', 'detected_at']);
    t.index(['detected_at']);
    t.index(['lane_id', 'detected_at']);
  });

  await knex.schema.createTable('credit_flag', (t) => {
    t.bigIncrements('id').primary();
    t.string('plate', 32).notNullable();
    t.string('case_id', 40).references('id').inTable('case').onDelete('SET NULL');
    t.integer('offence_count').notNullable();
    t.text('reason').notNullable();
    t.timestamp('flagged_at', { useTz: true }).notNullable();
    t.timestamp('lifted_at', { useTz: true });
    t.string('lifted_by', 100);
  });
  // One open flag per plate; a lifted flag may be followed by a new one.
  await knex.raw('create unique index credit_flag_open_plate_idx on credit_flag (plate) where lifted_at is null');

  await knex.raw('alter table device_event drop constraint device_event_status_check');
  await knex.raw(
    `alter table device_event add constraint device_event_status_check check (status in ('received', 'pending', 'processed', 'ignored', 'failed'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex('device_event').where({ status: 'pending' }).update({ status: 'ignored' });
  await knex.raw('alter table device_event drop constraint device_event_status_check');
  await knex.raw(
    `alter table device_event add constraint device_event_status_check check (status in ('received', 'processed', 'ignored', 'failed'))`,
  );
  await knex.schema.dropTable('credit_flag');
  await knex.schema.dropTable('fire_lane_offence');
  await knex.schema.dropTable('fire_lane');
  await knex.schema.dropTable('vehicle');
}
