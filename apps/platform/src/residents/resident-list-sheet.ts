import { BENEFIT_CATEGORY_LABELS_ZH, type ProtectionState } from '@anxin/contract';
import type { ListSheet } from '../exports/list-export';
import type { ResidentEntity } from './resident.entity';

const GENDER_ZH = { male: '男', female: '女' } as const;

/** 老人档案 as the residents page lists it; the ID number only masked, contacts as names and phones. */
export const residentListSheet: ListSheet<ResidentEntity & ProtectionState> = {
  title: '老人档案',
  asciiName: 'residents',
  columns: [
    { header: '姓名', cell: (r) => r.name },
    { header: '所属单位', width: 20, cell: (r, n) => n.unit(r.orgUnitId) },
    { header: '性别', width: 6, cell: (r) => (r.gender ? GENDER_ZH[r.gender] : '') },
    { header: '出生日期', width: 12, cell: (r) => r.birthDate ?? '' },
    { header: '身份证号', width: 20, cell: (r) => r.idCardMasked ?? '' },
    { header: '电话', cell: (r) => r.phone ?? '' },
    { header: '地址', width: 32, cell: (r) => r.address ?? '' },
    {
      header: '保障类别',
      width: 20,
      cell: (r) => r.benefitCategories.map((c) => BENEFIT_CATEGORY_LABELS_ZH[c] ?? c).join('、'),
    },
    {
      header: '紧急联系人',
      width: 32,
      cell: (r) => r.emergencyContacts.map((c) => [c.name, c.phone].filter(Boolean).join(' ')).join('；'),
    },
    { header: '防护状态', width: 10, cell: (r) => (r.protectionDegraded ? '防护降级' : '正常') },
    { header: '建档时间', width: 20, cell: (r, n) => n.time(r.createdAt) },
  ],
};
