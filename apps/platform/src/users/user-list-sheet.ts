import { ORDER_KIND_LABELS_ZH, type OrderKind, ROLE_LABELS_ZH } from '@anxin/contract';
import type { ListSheet } from '../exports/list-export';
import type { UserView } from './users.service';

const WEEKDAYS_ZH = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

/** "22:00–次日06:00 · 周一、周二" as the users page shows it; "全天" without a shift. */
function shiftText(u: UserView): string {
  if (u.role !== 'caregiver') return '';
  if (!u.shiftStart || !u.shiftEnd) return '全天';
  const end = u.shiftEnd <= u.shiftStart ? `次日${u.shiftEnd}` : u.shiftEnd;
  const days = u.shiftWeekdays.map((d) => WEEKDAYS_ZH[d]).join('、');
  return `${u.shiftStart}–${end}${days ? ` · ${days}` : ''}`;
}

/** 用户 as the users page lists them; never a password hash. */
export const userListSheet: ListSheet<UserView> = {
  title: '用户',
  asciiName: 'users',
  columns: [
    { header: '用户名', cell: (u) => u.username },
    { header: '显示名', cell: (u) => u.displayName ?? '' },
    { header: '角色', width: 8, cell: (u) => ROLE_LABELS_ZH[u.role] },
    { header: '所属单位', width: 20, cell: (u, n) => n.unit(u.orgUnitId) },
    {
      header: '技能',
      width: 24,
      cell: (u) => u.skills.map((s) => ORDER_KIND_LABELS_ZH[s as OrderKind] ?? s).join('、'),
    },
    { header: '班次', width: 24, cell: shiftText },
    {
      header: '状态',
      width: 8,
      cell: (u) => (u.disabled ? '已停用' : u.role !== 'caregiver' ? '正常' : u.onDuty ? '在岗' : '离岗'),
    },
    { header: '创建时间', width: 20, cell: (u, n) => n.time(u.createdAt) },
  ],
};
