import type { Knex } from 'knex';
import { catalogFingerprint, loadCatalog } from '../catalog/catalog-queries';
import {
  Classifier,
  type ClassificationCandidate,
  type ClassificationResult,
  type ClassifierOptions,
} from './classifier';
import { findFeedbackForCase, insertFeedback, listFeedbackSince, type FeedbackRow } from './feedback-queries';

/** `POST /api/classify` candidate shape (API.md). */
export interface ApiCandidate {
  situationId: string;
  matterId: string;
  categoryId: string;
  scenario: string | null;
  leadDepartment: string;
  score: number;
}

/** A case's classification (API.md): the chosen situation and how it is routed. */
export interface CaseClassification {
  situationId: string;
  matterId: string;
  categoryId: string;
  scenario: string | null;
  leadDepartment: string;
  collaborators: string[];
  confidence: number;
}

export function toApiCandidate(c: ClassificationCandidate): ApiCandidate {
  return {
    situationId: c.situationId,
    matterId: c.matterId,
    categoryId: c.categoryId,
    scenario: c.scenario,
    leadDepartment: c.leadDepartment,
    score: c.score,
  };
}

export function toCaseClassification(c: ClassificationCandidate, confidence: number): CaseClassification {
  return {
    situationId: c.situationId,
    matterId: c.matterId,
    categoryId: c.categoryId,
    scenario: c.scenario,
    leadDepartment: c.leadDepartment,
    collaborators: [...c.collaborators],
    confidence: Math.round(confidence * 1000) / 1000,
  };
}

export interface ConfirmInput {
  text: string;
  situationId: string;
  /** The classifier's first candidate when the clerk decided (null if there was none). */
  originalTopSituation?: string | null;
  originalConfidence?: number | null;
  caseId?: string | null;
  by: string;
}

export interface ClassificationServiceOptions {
  classifier?: Partial<ClassifierOptions>;
  /** How often, at most, to ask the database whether the catalog or feedback changed (ms). */
  freshnessCheckMs?: number;
}

/**
 * The classifier over the stored catalog, shared by the `case.classify` worker and the API.
 * Keeps one in-memory index; rebuilds it when the catalog's fingerprint changes and folds in new
 * feedback rows incrementally (including rows written by another process).
 */
export class ClassificationService {
  private classifier?: Classifier;
  private fingerprint = '';
  private lastFeedbackId = '0';
  private lastCheck = 0;
  private loading?: Promise<void>;

  constructor(
    private readonly db: Knex,
    private readonly options: ClassificationServiceOptions = {},
  ) {}

  /** The current classifier, refreshed from the database if the catalog or feedback changed. */
  async current(): Promise<Classifier> {
    const now = Date.now();
    if (this.classifier && now - this.lastCheck < (this.options.freshnessCheckMs ?? 2000)) return this.classifier;
    this.loading ??= this.refresh().finally(() => {
      this.loading = undefined;
    });
    await this.loading;
    return this.classifier!;
  }

  /** Forces a full rebuild on the next call (after an import in this process). */
  invalidate(): void {
    this.fingerprint = '';
    this.lastCheck = 0;
  }

  private async refresh(): Promise<void> {
    const fp = await catalogFingerprint(this.db);
    if (!this.classifier || fp !== this.fingerprint) {
      const [catalog, feedback] = await Promise.all([
        loadCatalog(this.db, { activeOnly: true }),
        listFeedbackSince(this.db),
      ]);
      this.classifier = new Classifier(
        catalog,
        feedback.map((f) => ({ situationId: f.chosenSituation, text: f.text })),
        this.options.classifier,
      );
      this.fingerprint = fp;
      this.lastFeedbackId = feedback.at(-1)?.id ?? '0';
    } else {
      this.applyFeedback(await listFeedbackSince(this.db, this.lastFeedbackId));
    }
    this.lastCheck = Date.now();
  }

  private applyFeedback(rows: FeedbackRow[]): void {
    for (const f of rows) {
      if (BigInt(f.id) <= BigInt(this.lastFeedbackId)) continue; // already folded in (concurrent refresh)
      this.classifier?.addFeedback({ situationId: f.chosenSituation, text: f.text });
      this.lastFeedbackId = f.id;
    }
  }

  async classify(text: string, limit = 5): Promise<ClassificationResult> {
    return (await this.current()).classify(text, limit);
  }

  /** `POST /api/classify {text}` → `{candidates}` best first. */
  async classifyForApi(text: string, limit = 5): Promise<{ candidates: ApiCandidate[] }> {
    const r = await this.classify(text, limit);
    return { candidates: r.candidates.map(toApiCandidate) };
  }

  /**
   * A clerk confirmed or corrected a classification: stores it and teaches the classifier at
   * once. Returns the case classification for the chosen situation.
   */
  async confirm(input: ConfirmInput): Promise<CaseClassification> {
    await this.current();
    const situation = await this.db('catalog_situation').where({ code: input.situationId, active: true }).first();
    if (!situation) throw new Error(`Expected an active catalog situation '${input.situationId}', but there is none`);
    await insertFeedback(this.db, {
      text: input.text,
      chosenSituation: input.situationId,
      originalTopSituation: input.originalTopSituation ?? null,
      originalConfidence: input.originalConfidence ?? null,
      caseId: input.caseId ?? null,
      createdBy: input.by,
    });
    // Our row and any written since our last look by other processes, in id order.
    this.applyFeedback(await listFeedbackSince(this.db, this.lastFeedbackId));
    const matter = await this.db('catalog_matter').where({ code: situation.matter_code }).first();
    return {
      situationId: input.situationId,
      matterId: String(situation.matter_code),
      categoryId: String(matter?.category_code ?? ''),
      scenario: (situation.scenario ?? null) as string | null,
      leadDepartment: String(situation.lead_department),
      collaborators: Array.isArray(situation.collaborators)
        ? situation.collaborators
        : JSON.parse(String(situation.collaborators)),
      confidence: 1, // a person decided
    };
  }

  /** The confirmed classification of a case, if any (lets a re-delivered job stay idempotent). */
  async confirmedForCase(caseId: string): Promise<FeedbackRow | undefined> {
    return findFeedbackForCase(this.db, caseId);
  }
}
