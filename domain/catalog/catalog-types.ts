/**
 * Process ids a situation or one-matter list may hand its cases to (docs/domain.md). The catalog
 * migration checks the same list in the database; a new scenario needs both this list and a
 * migration that widens that check.
 */
export const SCENARIO_IDS = [
  'case-intake',
  'housing-quality',
  'hazmat-transport',
  'pollution-source',
  'new-product-rd',
  'fire-lane',
] as const;

/** A BPMN process id a situation or list can hand its cases to (DOMAIN.md). */
export type ScenarioId = (typeof SCENARIO_IDS)[number];
export type ScenarioNodeKind = 'stage' | 'scene' | 'link' | 'risk_point';

/** 类别: one of the district's 12 problem categories. */
export interface CatalogCategory {
  code: string;
  name_zh: string;
  name_en: string;
  sort: number;
}

/** 事项: a matter inside a category. */
export interface CatalogMatter {
  code: string;
  category: string;
  name_zh: string;
  name_en: string;
  description: string;
  sort: number;
}

/** 问题情形: the unit a case is classified to; owns the routing and the SLA. */
export interface CatalogSituation {
  code: string;
  matter: string;
  name_zh: string;
  description: string;
  lead_department: string;
  collaborators: string[];
  /** null → generic lead + collaborators handling. */
  scenario: ScenarioId | null;
  /** Handling time limit in working hours. */
  sla_working_hours: number;
  /** Time to sign for / respond to the work order, in working hours. */
  response_hours: number;
  keywords: string[];
  active: boolean;
  sort: number;
}

/** A stage/scene, link (环节) or risk point of a scenario breakdown. */
export interface ScenarioNode {
  code: string;
  scenario: ScenarioId;
  kind: ScenarioNodeKind;
  parent: string | null;
  name_zh: string;
  sort: number;
}

/** 一件事清单: a one-matter list with its lead and the departments working on it. */
export interface OneMatterList {
  code: string;
  name_zh: string;
  lead_department: string;
  departments: string[];
  scenario: ScenarioId | null;
  sort: number;
}

/** The whole catalog, or the part of it one import file carries. */
export interface CatalogData {
  categories: CatalogCategory[];
  matters: CatalogMatter[];
  situations: CatalogSituation[];
  scenarioNodes: ScenarioNode[];
  oneMatterLists: OneMatterList[];
}

export function emptyCatalog(): CatalogData {
  return { categories: [], matters: [], situations: [], scenarioNodes: [], oneMatterLists: [] };
}
