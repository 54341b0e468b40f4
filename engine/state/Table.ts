import type { Key } from './types';

/** How a table's rows reach PostgreSQL. */
export interface TableSpec<T> {
  name: string;
  primaryKey: string;
  /** Columns written by `toRow`, in table order (the commit names them explicitly). */
  columns: readonly string[];
  /**
   * Row for an entity (keys as decimal strings, PostgreSQL casts them to int8; jsonb columns as
   * plain values). A batch's rows travel as ONE JSON document per table (see Store.flush).
   */
  toRow(entity: T): Record<string, unknown>;
  /** Entity from a row read at start. */
  fromRow(row: any): T;
}

type Listener<T> = (entity: T) => void;

/**
 * One kind of engine state held in memory and mirrored to its table. Every change goes through
 * `put`/`delete`, which (1) keep the secondary indexes in step, (2) note the previous value in the
 * owning store's undo log so a failed commit can be rolled back, and (3) mark the key dirty for
 * the next flush. Entities are never mutated in place: `update` makes a new object.
 */
export class Table<T extends object> {
  readonly rows = new Map<Key, T>();
  /**
   * Keys changed since the last flush → whether the database has a row for them (the key existed
   * when it was first changed in this batch). A key created and removed in the same batch never
   * reaches the database.
   */
  readonly dirty = new Map<Key, boolean>();
  private readonly addListeners: Listener<T>[] = [];
  private readonly removeListeners: Listener<T>[] = [];

  constructor(
    readonly spec: TableSpec<T>,
    private readonly undo: (table: Table<any>, key: Key, prev: T | undefined) => void,
  ) {}

  /** Secondary indexes subscribe here; they see every add and remove (an update is remove + add). */
  index(onAdd: Listener<T>, onRemove: Listener<T>): void {
    this.addListeners.push(onAdd);
    this.removeListeners.push(onRemove);
  }

  get(key: Key): T | undefined {
    return this.rows.get(key);
  }

  has(key: Key): boolean {
    return this.rows.has(key);
  }

  get size(): number {
    return this.rows.size;
  }

  values(): IterableIterator<T> {
    return this.rows.values();
  }

  put(key: Key, entity: T): T {
    const prev = this.rows.get(key);
    this.undo(this, key, prev);
    this.setRaw(key, entity, prev);
    if (!this.dirty.has(key)) this.dirty.set(key, prev !== undefined);
    return entity;
  }

  update(key: Key, patch: Partial<T>): T {
    const prev = this.rows.get(key);
    if (!prev) throw new Error(`Expected ${this.spec.name} with key '${key}' to exist`);
    return this.put(key, { ...prev, ...patch });
  }

  delete(key: Key): T | undefined {
    const prev = this.rows.get(key);
    if (!prev) return undefined;
    this.undo(this, key, prev);
    this.setRaw(key, undefined, prev);
    if (!this.dirty.has(key)) this.dirty.set(key, true);
    return prev;
  }

  /** Without undo/dirty: used by load and by rollback. */
  setRaw(key: Key, entity: T | undefined, prev = this.rows.get(key)): void {
    if (prev) for (const l of this.removeListeners) l(prev);
    if (entity) {
      this.rows.set(key, entity);
      for (const l of this.addListeners) l(entity);
    } else {
      this.rows.delete(key);
    }
  }
}

/** A Map<K, Set<V>> helper for secondary indexes. */
export class MultiIndex<V> {
  private readonly map = new Map<string, Set<V>>();
  add(k: string, v: V): void {
    let s = this.map.get(k);
    if (!s) this.map.set(k, (s = new Set()));
    s.add(v);
  }
  remove(k: string, v: V): void {
    const s = this.map.get(k);
    if (!s) return;
    s.delete(v);
    if (s.size === 0) this.map.delete(k);
  }
  get(k: string): ReadonlySet<V> {
    return this.map.get(k) ?? EMPTY;
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
}
const EMPTY: ReadonlySet<any> = new Set();
