import type { Table } from '../state/Table';
import type { Due } from '../state/types';

/**
 * A min-heap over the due table by due time. Fed by the table's index hook; entries whose row is
 * gone or has another due time are stale and skipped when they surface, so removal is O(1).
 */
export class DueQueue {
  private heap: { dueAt: number; id: string }[] = [];

  constructor(private readonly table: Table<Due>) {
    table.index(
      (d) => this.push(d.dueAt, d.id),
      () => undefined,
    );
  }

  private push(dueAt: number, id: string): void {
    const h = this.heap;
    h.push({ dueAt, id });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].dueAt <= h[i].dueAt) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l].dueAt < h[m].dueAt) m = l;
      if (r < h.length && h[r].dueAt < h[m].dueAt) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i], h[m]];
      i = m;
    }
  }

  private dropStale(): void {
    while (this.heap.length) {
      const top = this.heap[0];
      const row = this.table.get(top.id);
      if (row && row.dueAt === top.dueAt) return;
      this.pop();
    }
  }

  /** Earliest due time, or undefined when nothing is due ever. */
  peek(): number | undefined {
    this.dropStale();
    return this.heap[0]?.dueAt;
  }

  /** Removes and returns the ids due at or before `now`, earliest first (at most `limit`). */
  takeDue(now: number, limit: number): Due[] {
    const out: Due[] = [];
    const seen = new Set<string>();
    while (out.length < limit) {
      this.dropStale();
      const top = this.heap[0];
      if (!top || top.dueAt > now) break;
      this.pop();
      if (seen.has(top.id)) continue;
      seen.add(top.id);
      out.push(this.table.get(top.id)!);
    }
    return out;
  }
}
