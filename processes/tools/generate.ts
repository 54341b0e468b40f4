/**
 * Writes the scenario models (processes/*.bpmn) and their forms (processes/forms/*.form).
 * `npx tsx processes/tools/generate.ts`
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildBpmn, type ProcessSpec } from './bpmn-builder';
import { buildForm, FORMS } from './forms';
import { caseHandling, caseIntake, slaClock } from './models-core';
import { fireLane, hazmatTransport, housingQuality, newProductRd, pollutionSource } from './models-scenarios';

export const MODELS: ProcessSpec[] = [
  caseIntake,
  housingQuality,
  hazmatTransport,
  pollutionSource,
  newProductRd,
  fireLane,
  caseHandling,
  slaClock,
];

const root = path.resolve(__dirname, '..');
fs.mkdirSync(path.join(root, 'forms'), { recursive: true });
for (const m of MODELS) fs.writeFileSync(path.join(root, `${m.id}.bpmn`), buildBpmn(m));
for (const id of Object.keys(FORMS)) fs.writeFileSync(path.join(root, 'forms', `${id}.form`), buildForm(id));
console.log(`wrote ${MODELS.length} models and ${Object.keys(FORMS).length} forms to ${root}`);
