/**
 * Demo-mode seed data (DOMAIN.md, "Fixed identifiers"): the vehicle registry 浙B10001 … 浙B10020 with
 * fictitious owners and phone numbers (1380000xxxx, a range no real subscriber is reached through the
 * outbox provider), fire lanes in several compounds of Jiangbei, and department contacts for the
 * yellow/red-card SMS. Everything here is invented for the demo.
 */
import type { FireLane } from '../../domain/fire-lane/lanes';
import type { VehicleRecord } from '../../domain/fire-lane/vehicle-registry';

const OWNERS = [
  '张伟',
  '王芳',
  '李娜',
  '刘洋',
  '陈静',
  '杨磊',
  '赵敏',
  '黄强',
  '周杰',
  '吴婷',
  '徐涛',
  '孙丽',
  '胡斌',
  '朱琳',
  '高峰',
  '林萍',
  '何军',
  '郭燕',
  '马超',
  '罗娟',
];

export const DEMO_COMPOUNDS = ['庄桥花园', '孔浦新村', '甬江名邸', '洪塘家园', '慈城古镇商业街'] as const;

/** 浙B10001 … 浙B10020, exactly. */
export const DEMO_VEHICLES: readonly VehicleRecord[] = OWNERS.map((name, i) => ({
  plate: `浙B${10001 + i}`,
  ownerName: `${name}（示例）`,
  ownerPhone: `1380000${String(i + 1).padStart(4, '0')}`,
  compound: DEMO_COMPOUNDS[i % DEMO_COMPOUNDS.length],
}));

const lane = (
  id: string,
  name: string,
  compound: string,
  street: string,
  company: string,
  contact: string,
  phone: string,
  onSite: string | null = null,
): FireLane => ({
  id,
  name,
  compound,
  street,
  propertyCompany: company,
  propertyContactName: contact,
  propertyContactPhone: phone,
  onSiteDepartment: onSite,
});

export const DEMO_LANES: readonly FireLane[] = [
  lane(
    'ZQ-01',
    '庄桥花园3号楼北侧消防通道',
    '庄桥花园',
    'street-zhuangqiao',
    '宁波庄桥物业服务有限公司（示例）',
    '物业值班（示例）',
    '13800001001',
  ),
  lane(
    'ZQ-02',
    '庄桥花园地下车库入口登高场地',
    '庄桥花园',
    'street-zhuangqiao',
    '宁波庄桥物业服务有限公司（示例）',
    '物业值班（示例）',
    '13800001001',
  ),
  lane(
    'KP-01',
    '孔浦新村12幢东侧消防通道',
    '孔浦新村',
    'street-kongpu',
    '孔浦街道物业管理站（示例）',
    '物业值班（示例）',
    '13800001002',
    'property',
  ),
  lane(
    'KP-02',
    '孔浦新村南门消防车道',
    '孔浦新村',
    'street-kongpu',
    '孔浦街道物业管理站（示例）',
    '物业值班（示例）',
    '13800001002',
    'property',
  ),
  lane(
    'YJ-01',
    '甬江名邸1号楼消防登高面',
    '甬江名邸',
    'street-yongjiang',
    '甬江名邸物业服务中心（示例）',
    '物业值班（示例）',
    '13800001003',
  ),
  lane(
    'YJ-02',
    '甬江名邸幼儿园旁消防通道',
    '甬江名邸',
    'street-yongjiang',
    '甬江名邸物业服务中心（示例）',
    '物业值班（示例）',
    '13800001003',
  ),
  lane(
    'HT-01',
    '洪塘家园菜场后侧消防通道',
    '洪塘家园',
    'street-hongtang',
    '洪塘家园物业服务部（示例）',
    '物业值班（示例）',
    '13800001004',
  ),
  lane(
    'CC-01',
    '慈城古镇商业街东段消防车道',
    '慈城古镇商业街',
    'town-cicheng',
    '慈城古镇商业管理公司（示例）',
    '商管值班（示例）',
    '13800001005',
  ),
  lane(
    'CC-02',
    '慈城古镇商业街停车场出口',
    '慈城古镇商业街',
    'town-cicheng',
    '慈城古镇商业管理公司（示例）',
    '商管值班（示例）',
    '13800001005',
  ),
];

/** Citizens' reports the live demo files through the one window (they classify to different scenarios). */
export const DEMO_REPORTS: readonly string[] = [
  '新交付的商品房外墙开裂，窗台渗漏水，开发商一直不处理',
  '精装房交付后发现地板空鼓、瓷砖开裂，和样板房完全不一样',
  '开发商逾期三个月还没交房，也不给说法',
  '交房两年了不动产权证还办不下来',
  '河边的工厂夜里偷排废水，河道发黑发臭',
  '小区旁边的化工厂烟囱冒黑烟，气味刺鼻',
  '餐馆油烟直排，楼上住户窗户都是油',
  '我司研发新型节能电机，想申请新产品认定和研发费用加计扣除',
  '企业开发了新款医疗器械，需要办理产品注册和检测',
  '危化品运输槽罐车长期停在居民区路边过夜',
  '加油站旁边违规存放大量油桶，担心起火',
  '小区门口每天有流动摊贩摆摊叫卖，三轮车占道影响通行',
  '沿街商铺把货物堆到人行道上，行人只能走机动车道',
  '小区楼道里堆满杂物，电动车在楼道里充电',
  '单位拖欠三个月工资不发',
  '夜里工地施工噪音太大，影响休息',
  '马路上的井盖破损，晚上很危险',
  '小区绿地被人圈起来种菜',
];

/** Department contacts for the SMS of yellow/red cards: head and duty phone (fictitious). */
export function demoContacts(
  departments: readonly string[],
): { department: string; role: 'head' | 'duty' | 'staff'; username: string | null; name: string; phone: string }[] {
  return departments.flatMap((code, i) => [
    {
      department: code,
      role: 'head' as const,
      username: null,
      name: '部门负责人（示例）',
      phone: `1390000${String(2 * i + 1).padStart(4, '0')}`,
    },
    {
      department: code,
      role: 'duty' as const,
      username: null,
      name: '值班电话（示例）',
      phone: `1390000${String(2 * i + 2).padStart(4, '0')}`,
    },
    {
      department: code,
      role: 'staff' as const,
      username: `clerk.${code}`,
      name: `clerk.${code}（示例）`,
      phone: `1390001${String(i + 1).padStart(4, '0')}`,
    },
  ]);
}
