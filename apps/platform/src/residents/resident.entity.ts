import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { BenefitCategory, CareProfile, EmergencyContact } from '@anxin/contract';

@Entity({ name: 'residents' })
export class ResidentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'org_unit_id', type: 'uuid' })
  orgUnitId!: string;

  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ name: 'birth_date', type: 'date', nullable: true })
  birthDate!: string | null;

  @Column({ type: 'text', nullable: true })
  phone!: string | null;

  @Column({ name: 'emergency_contacts', type: 'jsonb', default: () => "'[]'" })
  emergencyContacts!: EmergencyContact[];

  @Column({ name: 'care_profile', type: 'jsonb', default: () => "'{}'" })
  careProfile!: CareProfile;

  @Column({ type: 'text', nullable: true })
  gender!: 'male' | 'female' | null;

  /** Never read by default: a query must ask for it (residents.service.ts, admins only). */
  @Column({ name: 'id_card_cipher', type: 'text', nullable: true, select: false })
  idCardCipher?: string | null;

  @Column({ name: 'id_card_masked', type: 'text', nullable: true })
  idCardMasked!: string | null;

  @Column({ name: 'benefit_categories', type: 'text', array: true, default: () => "'{}'" })
  benefitCategories!: BenefitCategory[];

  @Column({ type: 'text', nullable: true })
  medications!: string | null;

  @Column({ type: 'text', nullable: true })
  allergies!: string | null;

  @Column({ type: 'text', nullable: true })
  gp!: string | null;

  @Column({ name: 'key_holder', type: 'text', nullable: true })
  keyHolder!: string | null;

  /** Set when the resident's personal data was erased (PIPL); the row stays, anonymised, for statistics. */
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true })
  erasedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
