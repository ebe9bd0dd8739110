import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { OrgUnitKind } from '@anxin/contract';

@Entity({ name: 'org_units' })
export class OrgUnitEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  kind!: OrgUnitKind;

  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  /** Materialised ancestry `/rootId/…/ownId/`: a subtree is one `LIKE 'prefix%'`. */
  @Index('org_units_path_idx')
  @Column({ type: 'text' })
  path!: string;

  /** A deactivated unit keeps its history but takes no new residents or users, and is left out of pickers. */
  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
