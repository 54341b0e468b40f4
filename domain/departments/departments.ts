import type { Knex } from 'knex';

/** What a department is: a district bureau, a street office / town, or an outside party. */
export type DepartmentKind = 'bureau' | 'street' | 'external';

export interface DepartmentSeed {
  /** Fixed code (DOMAIN.md): the BPMN candidate group and the API value. */
  code: string;
  name_zh: string;
  name_en: string;
  kind: DepartmentKind;
}

/** Every department of DOMAIN.md, codes and names exactly as listed there. */
export const DEPARTMENTS: readonly DepartmentSeed[] = [
  {
    code: 'mediation-center',
    name_zh: '区社会矛盾纠纷调处化解中心',
    name_en: 'Social Conflict Mediation Centre',
    kind: 'bureau',
  },
  { code: 'government-office', name_zh: '区政府办公室', name_en: 'District Government Office', kind: 'bureau' },
  {
    code: 'housing',
    name_zh: '区住房和城乡建设局',
    name_en: 'Housing & Urban-Rural Development Bureau',
    kind: 'bureau',
  },
  { code: 'market', name_zh: '区市场监督管理局', name_en: 'Market Supervision Bureau', kind: 'bureau' },
  { code: 'planning', name_zh: '自然资源和规划分局', name_en: 'Natural Resources & Planning Branch', kind: 'bureau' },
  { code: 'enforcement', name_zh: '区综合行政执法局', name_en: 'Comprehensive Law Enforcement Bureau', kind: 'bureau' },
  { code: 'emergency', name_zh: '区应急管理局', name_en: 'Emergency Management Bureau', kind: 'bureau' },
  { code: 'traffic-police', name_zh: '交警大队', name_en: 'Traffic Police Brigade', kind: 'bureau' },
  { code: 'environment', name_zh: '生态环境分局', name_en: 'Ecology & Environment Branch', kind: 'bureau' },
  { code: 'fire-rescue', name_zh: '消防救援大队', name_en: 'Fire & Rescue Brigade', kind: 'bureau' },
  { code: 'economy', name_zh: '区经济和信息化局', name_en: 'Economy & Information Technology Bureau', kind: 'bureau' },
  { code: 'science', name_zh: '区科学技术局', name_en: 'Science & Technology Bureau', kind: 'bureau' },
  { code: 'tax', name_zh: '区税务局', name_en: 'Tax Bureau', kind: 'bureau' },
  { code: 'public-security', name_zh: '公安分局', name_en: 'Public Security Branch', kind: 'bureau' },
  { code: 'transport', name_zh: '区交通运输局', name_en: 'Transport Bureau', kind: 'bureau' },
  { code: 'health', name_zh: '区卫生健康局', name_en: 'Health Bureau', kind: 'bureau' },
  {
    code: 'hr-social',
    name_zh: '区人力资源和社会保障局',
    name_en: 'Human Resources & Social Security Bureau',
    kind: 'bureau',
  },
  { code: 'civil-affairs', name_zh: '区民政局', name_en: 'Civil Affairs Bureau', kind: 'bureau' },
  { code: 'justice', name_zh: '区司法局', name_en: 'Justice Bureau', kind: 'bureau' },
  { code: 'commerce', name_zh: '区商务局', name_en: 'Commerce Bureau', kind: 'bureau' },
  { code: 'agriculture', name_zh: '区农业农村局', name_en: 'Agriculture & Rural Affairs Bureau', kind: 'bureau' },
  { code: 'water', name_zh: '区水利局', name_en: 'Water Resources Bureau', kind: 'bureau' },
  { code: 'education', name_zh: '区教育局', name_en: 'Education Bureau', kind: 'bureau' },
  { code: 'petition', name_zh: '区信访局', name_en: 'Letters & Calls Bureau', kind: 'bureau' },
  {
    code: 'property',
    name_zh: '物业服务企业',
    name_en: 'Property management companies (external party)',
    kind: 'external',
  },
  { code: 'street-zhongma', name_zh: '中马街道', name_en: 'Zhongma Street Office', kind: 'street' },
  { code: 'street-baisha', name_zh: '白沙街道', name_en: 'Baisha Street Office', kind: 'street' },
  { code: 'street-kongpu', name_zh: '孔浦街道', name_en: 'Kongpu Street Office', kind: 'street' },
  { code: 'street-wenjiao', name_zh: '文教街道', name_en: 'Wenjiao Street Office', kind: 'street' },
  { code: 'street-yongjiang', name_zh: '甬江街道', name_en: 'Yongjiang Street Office', kind: 'street' },
  { code: 'street-zhuangqiao', name_zh: '庄桥街道', name_en: 'Zhuangqiao Street Office', kind: 'street' },
  { code: 'street-hongtang', name_zh: '洪塘街道', name_en: 'Hongtang Street Office', kind: 'street' },
  { code: 'town-cicheng', name_zh: '慈城镇', name_en: 'Cicheng Town', kind: 'street' },
];

/** The set of valid department codes, for validating catalog data without a database. */
export const DEPARTMENT_CODES: ReadonlySet<string> = new Set(DEPARTMENTS.map((d) => d.code));

/**
 * Inserts or refreshes every department row. Idempotent: running it twice leaves the same rows,
 * and names edited in DOMAIN.md reach existing databases on the next run.
 */
export async function seedDepartments(db: Knex): Promise<number> {
  await db('department')
    .insert(DEPARTMENTS.map((d) => ({ ...d })))
    .onConflict('code')
    .merge(['name_zh', 'name_en', 'kind']);
  return DEPARTMENTS.length;
}
