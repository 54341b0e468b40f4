import type { CatalogData, CatalogSituation, ScenarioId } from '../catalog/catalog-types';
import { Bm25fIndex, type FieldConfig } from './bm25f-index';
import { topConfidence } from './confidence';
import { normalizeText, termFrequencies, tokenize } from './tokenize';

export type ClassifierField = 'name' | 'keywords' | 'description' | 'matter' | 'category' | 'feedback';

/** How much each kind of query term is trusted (see tokenize.ts for the kinds). */
export interface TermWeights {
  word: number;
  bigram: number;
  unigram: number;
  /** A whole catalog keyword found verbatim in the text. */
  keyword: number;
}

export interface ClassifierOptions {
  fields: Record<ClassifierField, FieldConfig>;
  terms: TermWeights;
  k1: number;
  /** Softmax temperature over relative scores; see confidence.ts. */
  temperature: number;
  /** At or above this confidence a case is dispatched without a clerk. */
  confidenceThreshold: number;
}

/**
 * Defaults tuned on the `tune` split of test/fixtures/complaints.json only (`npm run bench:classify
 * -- --tune` prints the grid); the held-out split is what the benchmark and the regression test
 * report.
 */
export const DEFAULT_CLASSIFIER_OPTIONS: ClassifierOptions = {
  fields: {
    name: { weight: 3, b: 0.5 },
    keywords: { weight: 3, b: 0.3 },
    description: { weight: 1.5, b: 0.75 },
    matter: { weight: 0.8, b: 0.5 },
    category: { weight: 0.3, b: 0.5 },
    feedback: { weight: 0.3, b: 0.75 },
  },
  terms: { word: 1, bigram: 0.6, unigram: 0.15, keyword: 1.5 },
  k1: 1.2,
  temperature: 0.2,
  confidenceThreshold: 0.85,
};

/** One ranked situation, carrying what dispatch needs. */
export interface ClassificationCandidate {
  situationId: string;
  matterId: string;
  categoryId: string;
  scenario: ScenarioId | null;
  leadDepartment: string;
  collaborators: string[];
  name: string;
  score: number;
}

export interface ClassificationResult {
  /** Best first. Empty when the text shares no term with the catalog. */
  candidates: ClassificationCandidate[];
  /** Calibrated probability in [0, 1] that the first candidate is right. */
  confidence: number;
  /** confidence ≥ the threshold: dispatch without a clerk. */
  autoDispatch: boolean;
}

export interface FeedbackExample {
  situationId: string;
  text: string;
}

interface SituationInfo {
  situation: CatalogSituation;
  categoryId: string;
}

/**
 * Ranks catalog situations for a citizen's text with BM25F over each situation's name, keywords,
 * description, its matter and category, and the texts of past cases clerks confirmed for it.
 * Pure and in-memory: build it from catalog data, then `classify` in a few milliseconds.
 */
export class Classifier {
  private index!: Bm25fIndex<ClassifierField>;
  private situations = new Map<string, SituationInfo>();
  /** Normalised catalog keywords, longest first, for verbatim matching. */
  private keywords: string[] = [];
  readonly options: ClassifierOptions;

  constructor(catalog: CatalogData, feedback: FeedbackExample[] = [], options: Partial<ClassifierOptions> = {}) {
    this.options = {
      ...DEFAULT_CLASSIFIER_OPTIONS,
      ...options,
      fields: { ...DEFAULT_CLASSIFIER_OPTIONS.fields, ...options.fields },
      terms: { ...DEFAULT_CLASSIFIER_OPTIONS.terms, ...options.terms },
    };
    this.rebuild(catalog, feedback);
  }

  /** Number of indexed (active) situations. */
  get size(): number {
    return this.index.size;
  }

  /** Re-indexes everything: call when the catalog changed. */
  rebuild(catalog: CatalogData, feedback: FeedbackExample[] = []): void {
    this.index = new Bm25fIndex<ClassifierField>(this.options.fields, this.options.k1);
    this.situations.clear();
    const matters = new Map(catalog.matters.map((m) => [m.code, m]));
    const categories = new Map(catalog.categories.map((c) => [c.code, c]));
    const keywordSet = new Set<string>();
    for (const s of catalog.situations) {
      if (!s.active) continue;
      const matter = matters.get(s.matter);
      const category = matter ? categories.get(matter.category) : undefined;
      this.situations.set(s.code, { situation: s, categoryId: matter?.category ?? '' });
      const kws = s.keywords.map(normalizeText).filter((k) => k.length > 0);
      kws.forEach((k) => keywordSet.add(k));
      this.index.setDoc(s.code, {
        name: tokenize(s.name_zh),
        keywords: [...kws.flatMap((k) => tokenize(k)), ...kws.map((k) => `k:${k}`)],
        description: tokenize(s.description),
        matter: matter ? tokenize(`${matter.name_zh} ${matter.description}`) : [],
        category: category ? tokenize(category.name_zh) : [],
      });
    }
    this.keywords = [...keywordSet].sort((a, b) => b.length - a.length);
    for (const f of feedback) this.addFeedback(f);
  }

  /**
   * Learns from a confirmed case: its text joins the situation's `feedback` field, so similar
   * texts rank that situation higher. Incremental; unknown or inactive situations are ignored.
   */
  addFeedback(example: FeedbackExample): boolean {
    if (!this.index.has(example.situationId)) return false;
    this.index.appendToField(example.situationId, 'feedback', tokenize(example.text));
    return true;
  }

  /** The weighted query terms of a text. */
  queryTerms(text: string): Map<string, number> {
    const { terms } = this.options;
    const weightOf: Record<string, number> = { w: terms.word, b: terms.bigram, u: terms.unigram, k: terms.keyword };
    const query = new Map<string, number>();
    // A repeated term counts a little more, but saturates: sqrt keeps rants from dominating.
    for (const [term, tf] of termFrequencies(tokenize(text))) {
      query.set(term, weightOf[term[0]] * Math.sqrt(tf));
    }
    const norm = normalizeText(text);
    for (const k of this.keywords) {
      if (norm.includes(k)) query.set(`k:${k}`, terms.keyword);
    }
    return query;
  }

  /** Ranks situations for `text`; returns the best `limit` with a calibrated confidence. */
  classify(text: string, limit = 5): ClassificationResult {
    const ranked = this.index.search(this.queryTerms(text));
    const confidence = topConfidence(
      ranked.slice(0, 5).map((r) => r.score),
      this.options.temperature,
    );
    const candidates = ranked.slice(0, limit).map((r) => this.candidate(r.id, r.score));
    return {
      candidates,
      confidence,
      autoDispatch: candidates.length > 0 && confidence >= this.options.confidenceThreshold,
    };
  }

  private candidate(id: string, score: number): ClassificationCandidate {
    const { situation: s, categoryId } = this.situations.get(id)!;
    return {
      situationId: s.code,
      matterId: s.matter,
      categoryId,
      scenario: s.scenario,
      leadDepartment: s.lead_department,
      collaborators: [...s.collaborators],
      name: s.name_zh,
      score: Math.round(score * 1000) / 1000,
    };
  }
}
