import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Role } from '@anxin/contract';

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  username!: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ type: 'text' })
  role!: Role;

  @Column({ name: 'org_unit_id', type: 'uuid' })
  orgUnitId!: string;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  skills!: string[];

  @Column({ name: 'service_org_id', type: 'uuid', nullable: true })
  serviceOrgId!: string | null;

  @Column({ name: 'on_duty', type: 'boolean', default: true })
  onDuty!: boolean;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  /** Shift hours, local HH:MM in the platform's zone (end before start crosses midnight); null = any time. */
  @Column({ name: 'shift_start', type: 'text', nullable: true })
  shiftStart!: string | null;

  @Column({ name: 'shift_end', type: 'text', nullable: true })
  shiftEnd!: string | null;

  /** The days a shift starts on, 1 = Monday … 7 = Sunday; empty = every day. */
  @Column({ name: 'shift_weekdays', type: 'smallint', array: true, default: () => "'{}'" })
  shiftWeekdays!: number[];

  /** Tokens carry the version they were issued at; a bump (users/user-changes.ts) refuses every older one. */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
