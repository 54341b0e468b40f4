import fs from 'node:fs';
import path from 'node:path';
import { SAMPLE_CATALOG_DIR } from '../../domain/catalog/seed-catalog';
import { DEPARTMENT_CODES } from '../../domain/departments/departments';
import type { CatalogData } from '../../domain/catalog/catalog-types';
import { readCatalogFiles } from '../../domain/catalog/read-catalog-files';
import type { LabelledText } from '../../domain/classify/evaluate';

export interface ComplaintFixture extends LabelledText {
  split: 'tune' | 'heldout';
}

export function loadComplaints(): ComplaintFixture[] {
  const file = path.resolve(__dirname, '../fixtures/complaints.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { items: ComplaintFixture[] }).items;
}

export function loadSampleCatalog(): Promise<CatalogData> {
  return readCatalogFiles(SAMPLE_CATALOG_DIR, DEPARTMENT_CODES);
}
