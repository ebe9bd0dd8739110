// Plausible resident details, so the console shows what an operator would see
// in a real community rather than "resident 17". The community name marks
// everything as simulated.
import type { EmergencyContact } from '@anxin/contract';
import type { Rng } from '../homes/rng';

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '林',
];
const GIVEN = [
  '秀英',
  '桂英',
  '玉兰',
  '淑珍',
  '建国',
  '国华',
  '志强',
  '德明',
  '凤英',
  '桂兰',
  '文华',
  '福生',
  '美华',
  '永康',
];
const RELATIONS = ['女儿', '儿子', '侄女', '邻居'];

export interface ResidentDetails {
  name: string;
  address: string;
  birthDate: string;
  phone: string;
  emergencyContacts: EmergencyContact[];
}

export function residentDetails(rng: Rng, homeNumber: number): ResidentDetails {
  const surname = rng.pick(SURNAMES);
  const year = rng.int(1930, 1955);
  const month = String(rng.int(1, 12)).padStart(2, '0');
  const day = String(rng.int(1, 28)).padStart(2, '0');
  return {
    name: `${surname}${rng.pick(GIVEN)}`,
    address: `模拟社区 ${1 + Math.floor(homeNumber / 24)} 号楼 ${101 + (homeNumber % 24)} 室`,
    birthDate: `${year}-${month}-${day}`,
    phone: mobile(rng),
    emergencyContacts: [
      { name: `${surname}${rng.pick(GIVEN)}`, relation: rng.pick(RELATIONS), phone: mobile(rng), order: 1 },
    ],
  };
}

function mobile(rng: Rng): string {
  return `13${rng.int(0, 9)}${String(rng.int(0, 99_999_999)).padStart(8, '0')}`;
}
