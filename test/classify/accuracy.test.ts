import { Classifier } from '../../domain/classify/classifier';
import { autoDispatchStats, evaluateClassifier } from '../../domain/classify/evaluate';
import { loadComplaints, loadSampleCatalog } from './fixtures';

/**
 * Regression guard on the held-out complaint texts (never used for tuning). The benchmark
 * (`npm run bench:classify`) measured top-1 90.6 % and top-3 98.4 % on 64 held-out texts; these
 * floors leave a little room for catalog edits but fail on a real regression.
 */
describe('classification accuracy on held-out complaints', () => {
  it('keeps top-1 ≥ 85 % and top-3 ≥ 95 %, and auto-dispatches precisely', async () => {
    // given
    const items = loadComplaints();
    const heldOut = items.filter((i) => i.split === 'heldout');
    const classifier = new Classifier(await loadSampleCatalog());
    // when
    const ev = evaluateClassifier(classifier, heldOut);
    // then
    expect(heldOut.length).toBeGreaterThanOrEqual(45);
    expect(ev.top1).toBeGreaterThanOrEqual(0.85);
    expect(ev.top3).toBeGreaterThanOrEqual(0.95);
    expect(autoDispatchStats(ev.results, classifier.options.confidenceThreshold).precision).toBeGreaterThanOrEqual(
      0.95,
    );
  });

  it('has a fixture of at least 150 labelled texts covering the catalog, split 70/30', async () => {
    const items = loadComplaints();
    const catalog = await loadSampleCatalog();
    const codes = new Set(catalog.situations.map((s) => s.code));
    expect(items.length).toBeGreaterThanOrEqual(150);
    expect(items.filter((i) => !codes.has(i.situation))).toEqual([]);
    expect(new Set(items.map((i) => i.text)).size).toBe(items.length);
    const share = items.filter((i) => i.split === 'heldout').length / items.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
  });
});
