/**
 * Confidence that the top-ranked candidate is right, from the top scores alone.
 *
 * BM25 scores grow with the length of the text, so they are first divided by the top score
 * (relative scores in (0, 1]); a softmax with temperature T over the relative scores of the top
 * five then gives the top candidate's probability. A clear winner (next best at 60 % of its score)
 * gets high confidence; a near tie gets about 1/k. T is fitted on the tune split by minimising
 * the Brier score of "top-1 was right" (bench/classify.ts --tune).
 */
export function topConfidence(scores: number[], temperature: number): number {
  if (scores.length === 0 || scores[0] <= 0) return 0;
  if (scores.length === 1) return 1;
  const top = scores[0];
  const exps = scores.map((s) => Math.exp((s / top - 1) / temperature));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps[0] / sum;
}
