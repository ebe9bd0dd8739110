import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { DeviceType } from '@anxin/contract';

@Entity({ name: 'devices' })
export class DeviceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  type!: DeviceType;

  @Column({ name: 'resident_id', type: 'uuid' })
  residentId!: string;

  /** Copied from the resident so scoping and ingest need no join. */
  @Column({ name: 'org_unit_id', type: 'uuid' })
  orgUnitId!: string;

  @Column({ type: 'text', nullable: true })
  serial!: string | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ name: 'secret_hash', type: 'text' })
  secretHash!: string;

  @Column({ type: 'boolean', default: false })
  online!: boolean;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;

  @Column({ type: 'smallint', nullable: true })
  battery!: number | null;

  @Column({ name: 'rejected_messages', type: 'integer', default: 0 })
  rejectedMessages!: number;

  @Column({ name: 'last_rejection_reason', type: 'text', nullable: true })
  lastRejectionReason!: string | null;

  @Column({ name: 'last_rejection_at', type: 'timestamptz', nullable: true })
  lastRejectionAt!: Date | null;

  /** Overrides the type's expected heartbeat interval (seconds). */
  @Column({ name: 'heartbeat_interval_s', type: 'integer', nullable: true })
  heartbeatIntervalSeconds!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
