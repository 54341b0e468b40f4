import type { Knex } from 'knex';
import { MultiIndex, Table, type TableSpec } from './Table';
import type {
  Due,
  ElementInstance,
  EngineRecord,
  Incident,
  Job,
  Key,
  Message,
  ResourceRow,
  Subscription,
  UserTask,
  Variable,
} from './types';
import { parseJson, stringifyJson } from './json';

/** First key of partition 1: keys are `(partitionId << 51) + n` (zeebe Protocol.encodePartitionId). */
export const KEY_BASE = 2n ** 51n;

const json = (v: unknown) => JSON.stringify(v ?? null);
/** The jsonb columns of the state tables (variable values, row documents). */
const JSONB_COLUMNS = new Set(['value', 'data']);
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

const specs = {
  elements: {
    name: 'engine_element_instance',
    primaryKey: 'key',
    columns: ['key', 'process_instance_key', 'data'],
    toRow: (e: ElementInstance) => ({ key: e.key, process_instance_key: e.processInstanceKey, data: e }),
    fromRow: (r: any) => r.data as ElementInstance,
  } satisfies TableSpec<ElementInstance>,
  variables: {
    name: 'engine_variable',
    primaryKey: 'key',
    columns: ['key', 'scope_key', 'process_instance_key', 'name', 'value'],
    toRow: (v: Variable) => ({
      key: v.key,
      scope_key: v.scopeKey,
      process_instance_key: v.processInstanceKey,
      name: v.name,
      value: v.value ?? null,
    }),
    fromRow: (r: any) => ({
      key: String(r.key),
      scopeKey: String(r.scope_key),
      processInstanceKey: String(r.process_instance_key),
      name: r.name,
      value: r.value,
    }),
  } satisfies TableSpec<Variable>,
  jobs: {
    name: 'engine_job',
    primaryKey: 'key',
    columns: ['key', 'type', 'state', 'process_instance_key', 'data'],
    toRow: (j: Job) => ({
      key: j.key,
      type: j.type,
      state: j.state,
      process_instance_key: j.processInstanceKey,
      data: j,
    }),
    fromRow: (r: any) => r.data as Job,
  } satisfies TableSpec<Job>,
  userTasks: {
    name: 'engine_user_task',
    primaryKey: 'key',
    columns: ['key', 'state', 'process_instance_key', 'data'],
    toRow: (u: UserTask) => ({ key: u.key, state: u.state, process_instance_key: u.processInstanceKey, data: u }),
    fromRow: (r: any) => r.data as UserTask,
  } satisfies TableSpec<UserTask>,
  subscriptions: {
    name: 'engine_subscription',
    primaryKey: 'key',
    columns: ['key', 'kind', 'name', 'correlation_key', 'process_instance_key', 'data'],
    toRow: (s: Subscription) => ({
      key: s.key,
      kind: s.kind,
      name: s.name,
      correlation_key: s.correlationKey,
      process_instance_key: s.processInstanceKey,
      data: s,
    }),
    fromRow: (r: any) => r.data as Subscription,
  } satisfies TableSpec<Subscription>,
  messages: {
    name: 'engine_message',
    primaryKey: 'key',
    columns: ['key', 'name', 'correlation_key', 'expires_at', 'data'],
    toRow: (m: Message) => ({
      key: m.key,
      name: m.name,
      correlation_key: m.correlationKey,
      expires_at: m.expiresAt,
      data: m,
    }),
    fromRow: (r: any) => r.data as Message,
  } satisfies TableSpec<Message>,
  incidents: {
    name: 'engine_incident',
    primaryKey: 'key',
    columns: ['key', 'process_instance_key', 'error_type', 'data'],
    toRow: (i: Incident) => ({
      key: i.key,
      process_instance_key: i.processInstanceKey,
      error_type: i.errorType,
      data: i,
    }),
    fromRow: (r: any) => r.data as Incident,
  } satisfies TableSpec<Incident>,
  due: {
    name: 'engine_due',
    primaryKey: 'id',
    columns: ['id', 'kind', 'due_at', 'data'],
    toRow: (d: Due) => ({ id: d.id, kind: d.kind, due_at: d.dueAt, data: d.data ?? null }),
    fromRow: (r: any) => ({ id: r.id, kind: r.kind, dueAt: Number(r.due_at), data: r.data }),
  } satisfies TableSpec<Due>,
  resources: {
    name: 'engine_resource',
    primaryKey: 'key',
    columns: [
      'key',
      'kind',
      'resource_id',
      'version',
      'resource_name',
      'checksum',
      'deployment_key',
      'content',
      'deployed_at',
    ],
    toRow: (r: ResourceRow) => ({
      key: r.key,
      kind: r.kind,
      resource_id: r.resourceId,
      version: r.version,
      resource_name: r.resourceName,
      checksum: r.checksum,
      deployment_key: r.deploymentKey,
      content: r.content,
      deployed_at: r.deployedAt,
    }),
    fromRow: (r: any) => ({
      key: String(r.key),
      kind: r.kind,
      resourceId: r.resource_id,
      version: Number(r.version),
      resourceName: r.resource_name,
      checksum: r.checksum,
      deploymentKey: String(r.deployment_key),
      content: r.content,
      deployedAt: Number(r.deployed_at),
    }),
  } satisfies TableSpec<ResourceRow>,
};

/** A batch closed for commit: its statement, its records, and where its undo entries end. */
export interface SealedBatch {
  sql: string;
  bindings: string[];
  records: EngineRecord[];
  fenced: boolean;
  undoEnd: number;
}

/** The commit was refused because another engine took the database over (see Ownership). */
export class FencedOut extends Error {
  readonly grpcCode = 14; // UNAVAILABLE: this engine no longer serves; the new owner does
  constructor() {
    super('This engine lost ownership of the database; it no longer writes');
  }
}

type UndoEntry =
  { table: Table<any>; key: Key; prev: unknown } | { counter: 'key' | 'position'; prev: bigint | number };

/**
 * The engine's whole live state, in memory, with secondary indexes. The single engine that owns
 * the database (advisory lock) is the only writer, so memory is the read path and PostgreSQL the
 * durable copy: a batch of commands changes memory (keeping an undo log), then `flush` writes the
 * dirty rows and new records in one transaction; if that fails, `rollback` restores memory.
 */
export class Store {
  private undoLog: UndoEntry[] = [];
  private undoBase = 0;
  private readonly undoFn = (table: Table<any>, key: Key, prev: unknown) => this.undoLog.push({ table, key, prev });

  readonly elements = new Table<ElementInstance>(specs.elements, this.undoFn);
  readonly variables = new Table<Variable>(specs.variables, this.undoFn);
  readonly jobs = new Table<Job>(specs.jobs, this.undoFn);
  readonly userTasks = new Table<UserTask>(specs.userTasks, this.undoFn);
  readonly subscriptions = new Table<Subscription>(specs.subscriptions, this.undoFn);
  readonly messages = new Table<Message>(specs.messages, this.undoFn);
  readonly incidents = new Table<Incident>(specs.incidents, this.undoFn);
  readonly due = new Table<Due>(specs.due, this.undoFn);
  readonly resources = new Table<ResourceRow>(specs.resources, this.undoFn);

  private readonly tables: Table<any>[] = [
    this.resources,
    this.elements,
    this.variables,
    this.jobs,
    this.userTasks,
    this.subscriptions,
    this.messages,
    this.incidents,
    this.due,
  ];

  // Secondary indexes --------------------------------------------------------------------------
  /** flow scope key → child element instance keys */
  readonly childrenOf = new MultiIndex<Key>();
  /** scope key → (name → variable key) */
  readonly varsByScope = new Map<Key, Map<string, Key>>();
  /** job type → activatable job keys, oldest first (Set keeps insertion order) */
  readonly activatableByType = new MultiIndex<Key>();
  /** element instance key → job keys */
  readonly jobsByElement = new MultiIndex<Key>();
  /** `m\0name\0correlationKey` or `s\0name` → subscription keys */
  readonly subsByName = new MultiIndex<Key>();
  /** element instance key → subscription keys */
  readonly subsByElement = new MultiIndex<Key>();
  /** `name\0correlationKey` → message keys (insertion = publish order) */
  readonly messagesByName = new MultiIndex<Key>();
  /** `name\0correlationKey\0messageId` → message key */
  readonly messageIds = new Map<string, Key>();
  /** element instance key → incident keys */
  readonly incidentsByElement = new MultiIndex<Key>();
  /** element instance key → due ids (timers) */
  readonly dueByElement = new MultiIndex<string>();
  /** process definition key → due ids (timer start events) */
  readonly dueByDefinition = new MultiIndex<string>();
  /** bpmnProcessId → resource keys by version */
  readonly processVersions = new Map<string, Map<number, Key>>();
  readonly formVersions = new Map<string, Map<number, Key>>();
  /** DRG id → resource keys by version; decision id → resource keys by version. */
  readonly drgVersions = new Map<string, Map<number, Key>>();
  readonly decisionVersions = new Map<string, Map<number, Key>>();
  /** bpmnProcessId + correlation key → active instance started by a message with that key */
  readonly messageStarted = new Map<string, Key>();

  // Counters and pending records -----------------------------------------------------------------
  private keyCounter = 0n;
  private position = 0;
  pendingRecords: EngineRecord[] = [];
  private metaDirty = false;

  constructor() {
    this.elements.index(
      (e) => {
        if (e.flowScopeKey) this.childrenOf.add(e.flowScopeKey, e.key);
        if (e.startedByMessageCorrelationKey)
          this.messageStarted.set(`${e.bpmnProcessId}\0${e.startedByMessageCorrelationKey}`, e.key);
      },
      (e) => {
        if (e.flowScopeKey) this.childrenOf.remove(e.flowScopeKey, e.key);
        if (e.startedByMessageCorrelationKey)
          this.messageStarted.delete(`${e.bpmnProcessId}\0${e.startedByMessageCorrelationKey}`);
      },
    );
    this.variables.index(
      (v) => {
        let m = this.varsByScope.get(v.scopeKey);
        if (!m) this.varsByScope.set(v.scopeKey, (m = new Map()));
        m.set(v.name, v.key);
      },
      (v) => {
        const m = this.varsByScope.get(v.scopeKey);
        if (!m) return;
        m.delete(v.name);
        if (m.size === 0) this.varsByScope.delete(v.scopeKey);
      },
    );
    this.jobs.index(
      (j) => {
        if (j.state === 'ACTIVATABLE') this.activatableByType.add(j.type, j.key);
        this.jobsByElement.add(j.elementInstanceKey, j.key);
      },
      (j) => {
        this.activatableByType.remove(j.type, j.key);
        this.jobsByElement.remove(j.elementInstanceKey, j.key);
      },
    );
    this.subscriptions.index(
      (s) => {
        this.subsByName.add(subIndexKey(s.kind, s.name, s.correlationKey), s.key);
        this.subsByElement.add(s.elementInstanceKey, s.key);
      },
      (s) => {
        this.subsByName.remove(subIndexKey(s.kind, s.name, s.correlationKey), s.key);
        this.subsByElement.remove(s.elementInstanceKey, s.key);
      },
    );
    this.messages.index(
      (m) => {
        this.messagesByName.add(`${m.name}\0${m.correlationKey}`, m.key);
        if (m.messageId) this.messageIds.set(`${m.name}\0${m.correlationKey}\0${m.messageId}`, m.key);
      },
      (m) => {
        this.messagesByName.remove(`${m.name}\0${m.correlationKey}`, m.key);
        if (m.messageId) this.messageIds.delete(`${m.name}\0${m.correlationKey}\0${m.messageId}`);
      },
    );
    this.incidents.index(
      (i) => this.incidentsByElement.add(i.elementInstanceKey, i.key),
      (i) => this.incidentsByElement.remove(i.elementInstanceKey, i.key),
    );
    this.due.index(
      (d) => {
        if (d.kind !== 'timer') return;
        if (d.data.elementInstanceKey) this.dueByElement.add(d.data.elementInstanceKey, d.id);
        else this.dueByDefinition.add(d.data.processDefinitionKey, d.id);
      },
      (d) => {
        if (d.kind !== 'timer') return;
        if (d.data.elementInstanceKey) this.dueByElement.remove(d.data.elementInstanceKey, d.id);
        else this.dueByDefinition.remove(d.data.processDefinitionKey, d.id);
      },
    );
    this.resources.index(
      (r) => {
        const idx = this.versionsOf(r.kind);
        let m = idx.get(r.resourceId);
        if (!m) idx.set(r.resourceId, (m = new Map()));
        m.set(r.version, r.key);
      },
      (r) => {
        const idx = this.versionsOf(r.kind);
        const m = idx.get(r.resourceId);
        m?.delete(r.version);
        if (m && m.size === 0) idx.delete(r.resourceId); // every version deleted (DeleteResource)
      },
    );
  }

  // Keys and records -------------------------------------------------------------------------------

  nextKey(): Key {
    this.undoLog.push({ counter: 'key', prev: this.keyCounter });
    this.keyCounter += 1n;
    this.metaDirty = true;
    return (KEY_BASE + this.keyCounter).toString();
  }

  appendRecord(r: Omit<EngineRecord, 'position'>): EngineRecord {
    this.undoLog.push({ counter: 'position', prev: this.position });
    const rec = { position: ++this.position, ...r };
    this.pendingRecords.push(rec);
    this.metaDirty = true;
    return rec;
  }

  get lastPosition(): number {
    return this.position;
  }

  /** Latest deployed version of a process, or undefined. */
  latestProcess(bpmnProcessId: string): ResourceRow | undefined {
    const versions = this.processVersions.get(bpmnProcessId);
    if (!versions || versions.size === 0) return undefined;
    return this.resources.get(versions.get(Math.max(...versions.keys()))!);
  }

  /** The version index of a resource kind (resource id → version → key). */
  versionsOf(kind: ResourceRow['kind']): Map<string, Map<number, Key>> {
    if (kind === 'process') return this.processVersions;
    if (kind === 'form') return this.formVersions;
    return kind === 'drg' ? this.drgVersions : this.decisionVersions;
  }

  /** Latest version of a resource of a kind, or undefined. */
  latestOf(kind: ResourceRow['kind'], resourceId: string): ResourceRow | undefined {
    const versions = this.versionsOf(kind).get(resourceId);
    if (!versions || versions.size === 0) return undefined;
    return this.resources.get(versions.get(Math.max(...versions.keys()))!);
  }

  latestForm(formId: string): ResourceRow | undefined {
    const versions = this.formVersions.get(formId);
    if (!versions || versions.size === 0) return undefined;
    return this.resources.get(versions.get(Math.max(...versions.keys()))!);
  }

  variable(scopeKey: Key, name: string): Variable | undefined {
    const k = this.varsByScope.get(scopeKey)?.get(name);
    return k ? this.variables.get(k) : undefined;
  }

  localVariables(scopeKey: Key): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const m = this.varsByScope.get(scopeKey);
    if (m) for (const [name, k] of m) out[name] = this.variables.get(k)!.value;
    return out;
  }

  // Transactions --------------------------------------------------------------------------------------
  //
  // Marks are absolute positions in the undo history: `undoBase` counts entries already dropped
  // because the batch that made them committed. While one batch is being committed the next one
  // is already being built on top of it (see Processor), so the log holds at most those two.

  /** Point to roll back to (see `rollbackTo`). */
  mark(): number {
    return this.undoBase + this.undoLog.length;
  }

  /** Undo every change since `mark` (memory only). */
  rollbackTo(mark: number): void {
    while (this.undoBase + this.undoLog.length > mark && this.undoLog.length) {
      const u = this.undoLog.pop()!;
      if ('counter' in u) {
        if (u.counter === 'key') this.keyCounter = u.prev as bigint;
        else {
          this.position = u.prev as number;
          this.pendingRecords.pop();
        }
      } else {
        u.table.setRaw(u.key, u.prev as any);
      }
    }
  }

  /** True when something changed since the last `seal`. */
  get hasChanges(): boolean {
    return this.pendingRecords.length > 0 || this.metaDirty || this.tables.some((t) => t.dirty.size > 0);
  }

  /**
   * Closes the current batch: builds its commit statement from everything changed since the last
   * seal and starts the next batch (dirty sets, pending records). Memory keeps the batch's changes;
   * its undo entries stay until `committed` (or `abort` rolls them back). Undefined when nothing
   * changed. Throws `FencedOut` (nothing sealed) when `fence` says this engine lost ownership.
   *
   * The statement: every table's deletes and upserts, the record-log row and the counters are
   * data-modifying CTEs over one JSON document each (`json_populate_recordset`), so a batch is one
   * round trip and PostgreSQL runs it as one implicit transaction — all or nothing. With `fence`
   * (the epoch this engine owns) the same statement proves the engine still owns the database: if
   * the epoch row holds another value it divides by zero and writes nothing.
   */
  seal(fence?: () => number): SealedBatch | undefined {
    if (!this.hasChanges) return undefined;
    const fenceEpoch = fence?.();
    const records = this.pendingRecords;
    const [sql, bindings] = this.commitStatement(records, fenceEpoch);
    for (const t of this.tables) t.dirty.clear();
    this.pendingRecords = [];
    this.metaDirty = false;
    return { sql, bindings, records, fenced: fenceEpoch !== undefined, undoEnd: this.mark() };
  }

  /** Runs a sealed batch's statement. Errors name what the database said (not the statement). */
  async execute(db: Knex, batch: SealedBatch): Promise<void> {
    try {
      await db.raw(batch.sql, batch.bindings);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (batch.fenced && code === '22012') throw new FencedOut();
      // knex prefixes the whole statement to the message: keep only the database's own words.
      const message = String((err as Error).message ?? err)
        .split(' - ')
        .pop();
      throw Object.assign(new Error(`The engine could not commit its batch: ${message}`, { cause: err }), { code });
    }
  }

  /** The batch is durable: forget how to undo it. */
  committed(batch: SealedBatch): void {
    const drop = batch.undoEnd - this.undoBase;
    if (drop <= 0) return;
    this.undoLog.splice(0, drop);
    this.undoBase = batch.undoEnd;
  }

  /** A commit failed: undo everything since `mark` — that batch and any built on top of it. */
  abort(mark: number): void {
    this.rollbackTo(mark);
    for (const t of this.tables) t.dirty.clear();
    this.pendingRecords = [];
    this.metaDirty = false;
  }

  /** Seals and commits in one go (the Processor pipelines these steps instead). */
  async flush(db: Knex, fence?: () => number): Promise<EngineRecord[]> {
    const start = this.undoBase;
    let batch: SealedBatch | undefined;
    try {
      batch = this.seal(fence);
      if (!batch) return [];
      await this.execute(db, batch);
    } catch (err) {
      this.abort(start);
      throw err;
    }
    this.committed(batch);
    return batch.records;
  }

  private commitStatement(records: EngineRecord[], fenceEpoch: number | undefined): [string, string[]] {
    const ctes: string[] = [];
    const bindings: string[] = [];
    let n = 0;
    if (fenceEpoch !== undefined) {
      ctes.push(
        `fence as (update engine_meta set value = value where name = 'epoch' and value = ?::jsonb returning 1)`,
      );
      bindings.push(JSON.stringify(fenceEpoch));
    }
    for (const table of this.tables) {
      if (table.dirty.size === 0) continue;
      const upserts: Record<string, unknown>[] = [];
      const deletes: Key[] = [];
      for (const [key, persisted] of table.dirty) {
        const e = table.get(key);
        if (e) upserts.push(table.spec.toRow(e));
        else if (persisted) deletes.push(key);
      }
      const { name, primaryKey: pk, columns } = table.spec;
      const t = ident(name);
      if (deletes.length) {
        // `= any(array(…))` is an init plan: always an index scan on the primary key, whatever the
        // planner thinks of the table's size.
        const cast = pk === 'key' ? 'int8' : 'text';
        ctes.push(
          `d${n} as (delete from ${t} where ${ident(pk)} = any(array(select json_array_elements_text(?::json)::${cast})) returning 1)`,
        );
        bindings.push(JSON.stringify(deletes));
      }
      if (upserts.length) {
        const cols = columns.map(ident).join(', ');
        const set = columns
          .filter((c) => c !== pk)
          .map((c) => `${ident(c)} = excluded.${ident(c)}`)
          .join(', ');
        ctes.push(
          `u${n} as (insert into ${t} (${cols}) select ${cols} from json_populate_recordset(null::${t}, ?::json) ` +
            `on conflict (${ident(pk)}) do update set ${set} returning 1)`,
        );
        bindings.push(stringifyJson(upserts));
      }
      n++;
    }
    if (records.length) {
      // The record log: one row per batch, the records as one JSON array (see migrations.ts).
      const pis = new Set<Key>();
      let lastTimestamp = 0;
      for (const r of records) {
        if (r.processInstanceKey) pis.add(r.processInstanceKey);
        if (r.timestamp > lastTimestamp) lastTimestamp = r.timestamp;
      }
      ctes.push(
        'r as (insert into engine_record_batch (first_position, last_position, last_timestamp, process_instance_keys, records) ' +
          'values (?::int8, ?::int8, ?::int8, ?::int8[], ?) returning 1)',
      );
      bindings.push(
        String(records[0].position),
        String(records[records.length - 1].position),
        String(lastTimestamp),
        `{${[...pis].join(',')}}`,
        stringifyJson(records),
      );
    }
    if (this.metaDirty) {
      ctes.push(
        `m as (insert into engine_meta (name, value) values ('key', ?::jsonb), ('position', ?::jsonb) on conflict (name) do update set value = excluded.value returning 1)`,
      );
      bindings.push(json(this.keyCounter.toString()), json(this.position));
    }
    // Placeholders are only substituted in the SQL text, never inside the bound JSON documents.
    const sql =
      (ctes.length ? `with ${ctes.join(',\n')}\n` : '') +
      (fenceEpoch !== undefined ? 'select 1 / (select count(*)::int from fence) as ok' : 'select 1 as ok');
    return [sql, bindings];
  }

  /** Forgets the whole state (before loading it again from the database). */
  reset(): void {
    for (const table of this.tables) {
      for (const key of [...table.rows.keys()]) table.setRaw(key, undefined);
      table.dirty.clear();
    }
    this.undoLog = [];
    this.undoBase = 0;
    this.pendingRecords = [];
    this.metaDirty = false;
    this.keyCounter = 0n;
    this.position = 0;
  }

  /** Loads the whole state (at start, or on takeover by a standby engine). */
  async load(db: Knex): Promise<void> {
    for (const table of this.tables) {
      // jsonb as text, parsed here: the driver's JSON.parse would round 64-bit integers.
      const cols = table.spec.columns.map((c) =>
        JSONB_COLUMNS.has(c) ? db.raw('??::text as ??', [c, c]) : db.raw('??', [c]),
      );
      const rows = await db(table.spec.name).select(cols);
      for (const row of rows) {
        for (const c of JSONB_COLUMNS) if (typeof row[c] === 'string') row[c] = parseJson(row[c]);
        const e = table.spec.fromRow(row);
        table.setRaw(String(row[table.spec.primaryKey]), e);
      }
    }
    const meta = await db('engine_meta').select('*');
    for (const m of meta) {
      const v = typeof m.value === 'string' ? JSON.parse(m.value) : m.value;
      if (m.name === 'key') this.keyCounter = BigInt(v);
      if (m.name === 'position') this.position = Number(v);
    }
    this.undoLog = [];
  }
}

export function subIndexKey(kind: 'message' | 'signal', name: string, correlationKey: string): string {
  return kind === 'message' ? `m\0${name}\0${correlationKey}` : `s\0${name}`;
}
