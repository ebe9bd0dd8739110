import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { z } from 'zod';
import {
  type createResidentSchema,
  maskIdCardNumber,
  type ProtectionState,
  type updateResidentSchema,
} from '@anxin/contract';
import { AuditService } from '../audit/audit.service';
import { notifyResidentMoved } from '../devices/device-changes';
import type { Principal } from '../auth/principal';
import { AppError, notFound } from '../errors/app.errors';
import { OrgUnitsService } from '../org-units/org-units.service';
import type { OrgScope } from '../org-units/org-scope';
import type { ResidentEntity } from './resident.entity';
import { type ResidentListFilter, ResidentsRepository } from './residents.repository';
import { type ImportResult, loadSheet } from '../http/spreadsheet';
import { AMBIGUOUS, RESIDENT_REQUIRED, validateResidentRows } from './resident-import';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { decryptText, encryptText, loadPersonalDataKey } from './personal-data-key';

/**
 * What moves with a resident to another org unit (its open alerts, its open orders), registered by the
 * domain that owns them. Runs inside the moving transaction; may return work for after the commit.
 */
export type ResidentMoveHook = (
  manager: EntityManager,
  residentId: string,
  orgUnitId: string,
) => Promise<(() => Promise<void>) | void>;

@Injectable()
export class ResidentsService {
  private readonly moveHooks: ResidentMoveHook[] = [];

  constructor(
    private readonly db: DataSource,
    private readonly residents: ResidentsRepository,
    private readonly orgUnits: OrgUnitsService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async requireInScope(scope: OrgScope, id: string): Promise<ResidentEntity> {
    const resident = await this.residents.findInScope(scope, id);
    if (!resident) throw notFound(`resident ${id}`);
    return resident;
  }

  /** A resident new devices, plans or orders may be attached to: in scope and not erased (PIPL). */
  async requireLiveInScope(scope: OrgScope, id: string, field = 'residentId'): Promise<ResidentEntity> {
    const resident = await this.requireInScope(scope, id);
    if (resident.erasedAt) throw new AppError('conflict', `${field}: resident ${id} is erased`);
    return resident;
  }

  /**
   * The detail as the console shows it (protection, the ID number in full for admins). Each read is audited
   * (issue 16, PIPL): who looked at whose record, and when.
   */
  async readDetail(
    principal: Principal,
    id: string,
  ): Promise<ResidentEntity & ProtectionState & { idCardNumber?: string }> {
    const [resident] = await this.withProtection([await this.requireInScope(principal.scope, id)]);
    await this.audit.record({
      actor: principal,
      action: 'resident.read',
      subjectType: 'resident',
      subjectId: id,
      orgUnitId: resident!.orgUnitId,
    });
    return this.withIdCardFor(principal, resident!);
  }

  /** The ID number in clear, for the resident's own data export (admins only; the caller audits). */
  async idCardNumberOf(id: string): Promise<string | null> {
    const [row] = await this.db.query<{ id_card_cipher: string | null }[]>(
      `SELECT id_card_cipher FROM residents WHERE id = $1`,
      [id],
    );
    return row?.id_card_cipher ? decryptText(this.dataKey(), row.id_card_cipher) : null;
  }

  list(principal: Principal, filter: ResidentListFilter): Promise<[ResidentEntity[], number]> {
    return this.residents.listInScope(principal.scope, filter);
  }

  /** Residents as the console shows them: with whether their protection is degraded, and by which devices. */
  async withProtection(residents: ResidentEntity[]): Promise<(ResidentEntity & ProtectionState)[]> {
    const degraded = await this.residents.degradedDevicesOf(residents.map((r) => r.id));
    return residents.map((r) => {
      const devices = degraded.get(r.id) ?? [];
      return Object.assign(r, { protectionDegraded: devices.length > 0, degradedDevices: devices });
    });
  }

  private personalDataKey: Buffer | null = null;

  /** Read once, on first use: a platform that never stores an ID number never creates the key file. */
  private dataKey(): Buffer {
    this.personalDataKey ??= loadPersonalDataKey(this.config.database.personalDataKey, this.config.database.dataDir);
    return this.personalDataKey;
  }

  /** The input as stored: the ID number encrypted and masked, never in clear (issue 16). */
  private sealed<T extends { idCardNumber?: string | null }>(
    input: T,
  ): Omit<T, 'idCardNumber'> & Partial<ResidentEntity> {
    const { idCardNumber, ...rest } = input;
    if (idCardNumber === undefined) return rest;
    if (idCardNumber === null) return { ...rest, idCardCipher: null, idCardMasked: null };
    return {
      ...rest,
      idCardCipher: encryptText(this.dataKey(), idCardNumber),
      idCardMasked: maskIdCardNumber(idCardNumber),
    };
  }

  /** An admin reads the ID number in full; everyone else sees it masked. Each full read is audited. */
  async withIdCardFor<R extends ResidentEntity>(
    principal: Principal,
    resident: R,
  ): Promise<R & { idCardNumber?: string }> {
    if (principal.role !== 'admin' || !resident.idCardMasked) return resident;
    const idCardNumber = await this.idCardNumberOf(resident.id);
    if (idCardNumber === null) return resident;
    await this.audit.record({
      actor: principal,
      action: 'resident.read_id_card',
      subjectType: 'resident',
      subjectId: resident.id,
    });
    return { ...resident, idCardNumber };
  }

  async create(principal: Principal, input: z.infer<typeof createResidentSchema>): Promise<ResidentEntity> {
    await this.orgUnits.requireInScope(principal.scope, input.orgUnitId);
    return this.db.transaction(async (manager) => {
      await this.orgUnits.requireActiveForWrite(manager, input.orgUnitId);
      const resident = await this.residents.insert(
        {
          ...this.sealed(input),
          address: input.address ?? null,
          birthDate: input.birthDate ?? null,
          phone: input.phone ?? null,
          emergencyContacts: input.emergencyContacts ?? [],
          careProfile: input.careProfile ?? {},
        },
        manager,
      );
      await this.audit.record(
        {
          actor: principal,
          action: 'resident.create',
          subjectType: 'resident',
          subjectId: resident.id,
          orgUnitId: resident.orgUnitId,
        },
        manager,
      );
      return resident;
    });
  }

  /**
   * Residents (with contacts) from an XLSX or CSV sheet (issue 16): every row is checked first and the
   * errors of all rows answered; only a sheet without one is written, in one transaction, or not at all.
   */
  async importResidents(
    principal: Principal,
    file: Buffer,
    kind: 'xlsx' | 'csv',
    dryRun: boolean,
  ): Promise<ImportResult> {
    const sheet = await loadSheet(file, kind, RESIDENT_REQUIRED);
    // A deactivated unit takes no new residents: its name is unknown to the sheet.
    const units = (await this.orgUnits.list(principal)).filter((u) => u.active);
    const unitOf = (nameOrId: string) => {
      const byId = units.find((u) => u.id === nameOrId);
      if (byId) return byId.id;
      const named = units.filter((u) => u.name === nameOrId);
      return named.length === 1 ? named[0]!.id : named.length > 1 ? AMBIGUOUS : null;
    };
    const { inputs, errors } = validateResidentRows(sheet.rows, unitOf);
    errors.unshift(...sheet.errors);
    const result = { dryRun, rows: sheet.rows.length, imported: 0, errors };
    if (dryRun || errors.length > 0 || inputs.length === 0) return result;
    await this.db.transaction(async (manager) => {
      // The units were read before: each must still be active now that the rows go in (all or nothing).
      for (const unitId of new Set(inputs.map((r) => r.orgUnitId)))
        await this.orgUnits.requireActiveForWrite(manager, unitId);
      await this.residents.insertMany(inputs, manager);
      await this.audit.record(
        { actor: principal, action: 'resident.import', subjectType: 'resident', detail: { count: inputs.length } },
        manager,
      );
    });
    return { ...result, imported: inputs.length };
  }

  /** Every resident in scope, by name and community (the device import finds its residents here). */
  refsInScope(scope: OrgScope): Promise<{ id: string; name: string; unitName: string; orgUnitId: string }[]> {
    return this.residents.refsInScope(scope);
  }

  onMove(hook: ResidentMoveHook): void {
    this.moveHooks.push(hook);
  }

  async update(principal: Principal, id: string, input: z.infer<typeof updateResidentSchema>): Promise<ResidentEntity> {
    const before = await this.requireInScope(principal.scope, id);
    // An erased record stays anonymous (issue 16): personal data is not written back into it.
    if (before.erasedAt) throw new AppError('conflict', 'resident is erased: its record can no longer be changed');
    if (input.orgUnitId) await this.orgUnits.requireInScope(principal.scope, input.orgUnitId);
    const moving = input.orgUnitId !== undefined && input.orgUnitId !== before.orgUnitId;
    const afterCommit: (() => Promise<void>)[] = [];
    const updated = await this.db.transaction(async (manager) => {
      if (!(await this.residents.lockUnlessErased(manager, id)))
        throw new AppError('conflict', 'resident is erased: its record can no longer be changed');
      if (moving && input.orgUnitId) await this.orgUnits.requireActiveForWrite(manager, input.orgUnitId);
      const resident = await this.residents.update(id, this.sealed(input), manager);
      if (moving) {
        // Issue 12 item 3: everything open of the resident moves with it, in this transaction, and every
        // process's live device sessions pick up the new unit once it commits.
        for (const hook of this.moveHooks) {
          const after = await hook(manager, id, resident.orgUnitId);
          if (after) afterCommit.push(after);
        }
        await notifyResidentMoved(manager, id, resident.orgUnitId);
      }
      await this.audit.record(
        {
          actor: principal,
          action: 'resident.update',
          subjectType: 'resident',
          subjectId: id,
          orgUnitId: resident.orgUnitId,
          detail: { changed: Object.keys(input), ...(moving ? { fromOrgUnitId: before.orgUnitId } : {}) },
        },
        manager,
      );
      return resident;
    });
    // Re-announcing what moved is best effort: the move itself has committed, and consoles re-sync on connect.
    for (const after of afterCommit) await after().catch(() => undefined);
    return updated;
  }
}
