/** Per-field BM25F parameters: how much a hit counts, and how much field length normalises it. */
export interface FieldConfig {
  weight: number;
  /** 0 = no length normalisation, 1 = full. */
  b: number;
}

interface FieldPostings {
  tf: Map<string, number>;
  length: number;
}

interface Doc<F extends string> {
  id: string;
  fields: Record<F, FieldPostings>;
}

export interface ScoredDoc {
  id: string;
  score: number;
}

/**
 * An in-memory BM25F index (Robertson & Zaragoza, "The Probabilistic Relevance Framework", §3.6):
 * per-field term frequencies are length-normalised and weighted, summed into one pseudo-frequency,
 * then saturated once with k1 — so a word found in both the name and the keywords of a situation
 * does not count twice as much as a word found in one of them.
 *
 * Documents and fields can be replaced or appended to one at a time (clerks' confirmed texts are
 * appended to a situation's `feedback` field); document frequencies and average field lengths are
 * maintained incrementally, and idf is computed at query time from the current counts.
 */
export class Bm25fIndex<F extends string> {
  private readonly docs = new Map<string, Doc<F>>();
  private readonly postings = new Map<string, Set<string>>();
  private readonly fieldLengthSum: Record<F, number>;
  /** Documents with a non-empty field: the average length is taken over these only. */
  private readonly fieldDocCount: Record<F, number>;
  private readonly fieldNames: F[];

  constructor(
    private readonly fields: Record<F, FieldConfig>,
    private readonly k1 = 1.2,
  ) {
    this.fieldNames = Object.keys(fields) as F[];
    this.fieldLengthSum = Object.fromEntries(this.fieldNames.map((f) => [f, 0])) as Record<F, number>;
    this.fieldDocCount = Object.fromEntries(this.fieldNames.map((f) => [f, 0])) as Record<F, number>;
  }

  get size(): number {
    return this.docs.size;
  }

  has(id: string): boolean {
    return this.docs.has(id);
  }

  /** Adds or replaces a document; fields not given are empty. */
  setDoc(id: string, fieldTerms: Partial<Record<F, string[]>>): void {
    this.removeDoc(id);
    const doc: Doc<F> = {
      id,
      fields: Object.fromEntries(this.fieldNames.map((f) => [f, { tf: new Map(), length: 0 }])) as Record<
        F,
        FieldPostings
      >,
    };
    this.docs.set(id, doc);
    for (const f of this.fieldNames) {
      const terms = fieldTerms[f];
      if (terms) this.appendToField(id, f, terms);
    }
  }

  /** Appends terms to one field of an existing document (incremental: no rebuild). */
  appendToField(id: string, field: F, terms: string[]): void {
    const doc = this.docs.get(id);
    if (!doc) throw new Error(`Expected document '${id}' in the index, but it is not there`);
    const fp = doc.fields[field];
    if (fp.length === 0 && terms.length > 0) this.fieldDocCount[field]++;
    for (const t of terms) {
      fp.tf.set(t, (fp.tf.get(t) ?? 0) + 1);
      let p = this.postings.get(t);
      if (!p) this.postings.set(t, (p = new Set()));
      p.add(id);
    }
    fp.length += terms.length;
    this.fieldLengthSum[field] += terms.length;
  }

  removeDoc(id: string): void {
    const doc = this.docs.get(id);
    if (!doc) return;
    for (const f of this.fieldNames) {
      const fp = doc.fields[f];
      this.fieldLengthSum[f] -= fp.length;
      if (fp.length > 0) this.fieldDocCount[f]--;
      for (const t of fp.tf.keys()) {
        const stillThere = this.fieldNames.some((g) => g !== f && doc.fields[g].tf.has(t));
        if (!stillThere) this.postings.get(t)?.delete(id);
      }
      fp.tf.clear();
      fp.length = 0;
    }
    this.docs.delete(id);
  }

  /** Number of documents containing the term in any field. */
  df(term: string): number {
    return this.postings.get(term)?.size ?? 0;
  }

  idf(term: string): number {
    const n = this.docs.size;
    const df = this.df(term);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /**
   * Scores every document that shares a term with the query. `query` maps a term to its query
   * weight (how much that kind of term is trusted). Result is sorted best first; ties by id.
   */
  search(query: Map<string, number>): ScoredDoc[] {
    const n = this.docs.size;
    if (n === 0) return [];
    const avg = {} as Record<F, number>;
    // Averaged over documents that have the field: a sparse field (past cases exist for a few
    // situations only) would otherwise have a tiny average and crush its own matches.
    for (const f of this.fieldNames) avg[f] = this.fieldLengthSum[f] / Math.max(1, this.fieldDocCount[f]) || 1;
    const scores = new Map<string, number>();
    for (const [term, qw] of query) {
      const posting = this.postings.get(term);
      if (!posting || posting.size === 0) continue;
      const idf = this.idf(term);
      for (const id of posting) {
        const doc = this.docs.get(id)!;
        let pseudoTf = 0;
        for (const f of this.fieldNames) {
          const fp = doc.fields[f];
          const tf = fp.tf.get(term);
          if (!tf) continue;
          const cfg = this.fields[f];
          pseudoTf += (cfg.weight * tf) / (1 - cfg.b + (cfg.b * fp.length) / avg[f]);
        }
        if (pseudoTf === 0) continue;
        const s = (qw * idf * pseudoTf * (this.k1 + 1)) / (this.k1 + pseudoTf);
        scores.set(id, (scores.get(id) ?? 0) + s);
      }
    }
    return [...scores.entries()]
      .map(([id, score]) => ({ id, score }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
