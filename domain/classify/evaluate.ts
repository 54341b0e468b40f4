import type { Classifier } from './classifier';

/** A labelled text: what a clerk decided the situation was. */
export interface LabelledText {
  id: string;
  text: string;
  situation: string;
}

export interface EvaluatedText {
  item: LabelledText;
  rank: number | null; // 1-based rank of the right situation in the top 10, or null
  top: string | null;
  confidence: number;
}

export interface Evaluation {
  n: number;
  top1: number;
  top3: number;
  results: EvaluatedText[];
  /** Mean time per classify call, milliseconds. */
  msPerText: number;
}

/** Classifies every text and measures top-1/top-3 accuracy. */
export function evaluateClassifier(classifier: Classifier, items: LabelledText[]): Evaluation {
  const results: EvaluatedText[] = [];
  const t0 = performance.now();
  for (const item of items) {
    const r = classifier.classify(item.text, 10);
    const idx = r.candidates.findIndex((c) => c.situationId === item.situation);
    results.push({
      item,
      rank: idx < 0 ? null : idx + 1,
      top: r.candidates[0]?.situationId ?? null,
      confidence: r.confidence,
    });
  }
  const ms = performance.now() - t0;
  const n = items.length;
  return {
    n,
    top1: results.filter((r) => r.rank === 1).length / n,
    top3: results.filter((r) => r.rank !== null && r.rank <= 3).length / n,
    results,
    msPerText: ms / Math.max(1, n),
  };
}

/** Brier score of the confidence as a predictor of "top-1 was right" (lower is better). */
export function brierScore(results: EvaluatedText[]): number {
  return results.reduce((s, r) => s + (r.confidence - (r.rank === 1 ? 1 : 0)) ** 2, 0) / Math.max(1, results.length);
}

/** Of the texts at or above `threshold`: how many there are and how many are right. */
export function autoDispatchStats(results: EvaluatedText[], threshold: number): { rate: number; precision: number } {
  const auto = results.filter((r) => r.confidence >= threshold);
  return {
    rate: auto.length / Math.max(1, results.length),
    precision: auto.length === 0 ? 1 : auto.filter((r) => r.rank === 1).length / auto.length,
  };
}
