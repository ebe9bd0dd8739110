import { useState, type FormEvent } from 'react';
import {
  BENEFIT_CATEGORIES,
  type BenefitCategory,
  CARE_CONDITIONS,
  type CareProfile,
  type EmergencyContact,
} from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import { useDirectory } from './directory';
import type { Resident } from './registry-types';

type Condition = (typeof CARE_CONDITIONS)[number];

interface ContactDraft {
  name: string;
  relation: string;
  phone: string;
}

/** Create (no `resident`) or edit a resident: record, contacts and the care profile's responder-facing parts. */
export function ResidentForm({
  resident,
  onSaved,
  onCancel,
}: {
  resident?: Resident;
  onSaved: (r: Resident) => void;
  onCancel?: () => void;
}) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const directory = useDirectory();
  const units = directory.orgUnitChoices(resident?.orgUnitId);
  const profile: CareProfile = resident?.careProfile ?? {};
  const [name, setName] = useState(resident?.name ?? '');
  const [orgUnitId, setOrgUnitId] = useState(resident?.orgUnitId ?? '');
  const [address, setAddress] = useState(resident?.address ?? '');
  const [birthDate, setBirthDate] = useState(resident?.birthDate ?? '');
  const [phone, setPhone] = useState(resident?.phone ?? '');
  const [gender, setGender] = useState(resident?.gender ?? '');
  /** Typed anew only: the stored number is never sent back (it is shown masked as the placeholder). */
  const [idCard, setIdCard] = useState('');
  const [benefits, setBenefits] = useState<BenefitCategory[]>(resident?.benefitCategories ?? []);
  const [medications, setMedications] = useState(resident?.medications ?? '');
  const [allergies, setAllergies] = useState(resident?.allergies ?? '');
  const [gp, setGp] = useState(resident?.gp ?? '');
  const [keyHolder, setKeyHolder] = useState(resident?.keyHolder ?? '');
  const [conditions, setConditions] = useState<Condition[]>(profile.conditions ?? []);
  const [nightStart, setNightStart] = useState(profile.nightWindow?.start ?? '');
  const [nightEnd, setNightEnd] = useState(profile.nightWindow?.end ?? '');
  const [notes, setNotes] = useState(profile.responderNotes ?? '');
  const [contacts, setContacts] = useState<ContactDraft[]>(
    (resident?.emergencyContacts ?? []).map((c) => ({ name: c.name, relation: c.relation ?? '', phone: c.phone })),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const setContact = (i: number, patch: Partial<ContactDraft>) =>
    setContacts((prev) => prev.map((c, j) => (j === i ? { ...c, ...patch } : c)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const unit = orgUnitId || units[0]?.id;
    if (!unit) {
      setError(t('resident.form.noUnit'));
      return;
    }
    // A half-filled contact is refused with a message naming it (issue 16), never silently dropped.
    const incomplete = contacts.findIndex((c) => Boolean(c.name.trim()) !== Boolean(c.phone.trim()));
    if (incomplete >= 0) {
      setError(t('contact.incomplete', { n: incomplete + 1 }));
      return;
    }
    const emergencyContacts: EmergencyContact[] = contacts
      .filter((c) => c.name.trim() && c.phone.trim())
      .map((c, i) => ({
        name: c.name.trim(),
        phone: c.phone.trim(),
        order: i + 1,
        ...(c.relation.trim() ? { relation: c.relation.trim() } : {}),
      }));
    const careProfile: CareProfile = { ...profile, conditions };
    if (nightStart && nightEnd) careProfile.nightWindow = { start: nightStart, end: nightEnd };
    else delete careProfile.nightWindow;
    if (notes.trim()) careProfile.responderNotes = notes.trim();
    else delete careProfile.responderNotes;
    const body = {
      name: name.trim(),
      orgUnitId: unit,
      address: address.trim() || null,
      birthDate: birthDate || null,
      phone: phone.trim() || null,
      gender: gender || null,
      ...(idCard.trim() ? { idCardNumber: idCard.trim() } : {}),
      benefitCategories: benefits,
      medications: medications.trim() || null,
      allergies: allergies.trim() || null,
      gp: gp.trim() || null,
      keyHolder: keyHolder.trim() || null,
      emergencyContacts,
      careProfile,
    };
    setBusy(true);
    setError(null);
    const call = resident
      ? api.patch<Resident>(`/residents/${resident.id}`, body)
      : api.post<Resident>('/residents', body);
    call
      .then((saved) => {
        directory.rememberResident(saved);
        onSaved(saved);
      })
      .catch((e: unknown) => setError(errorText(e, t)))
      .finally(() => setBusy(false));
  };

  return (
    <form className="form-grid" onSubmit={submit} data-testid="resident-form">
      <label className="field">
        <span>{t('resident.name')} *</span>
        <input
          required
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
          data-testid="resident-name"
        />
      </label>
      <label className="field">
        <span>{t('resident.orgUnit')} *</span>
        <select
          value={orgUnitId || units[0]?.id || ''}
          onChange={(e) => setOrgUnitId(e.target.value)}
          data-testid="resident-org-unit"
        >
          {units.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name} · {t(`orgKind.${u.kind}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="field span-2">
        <span>{t('resident.address')}</span>
        <input
          maxLength={300}
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          data-testid="resident-address-input"
        />
      </label>
      <label className="field">
        <span>{t('resident.birthDate')}</span>
        <input type="date" value={birthDate} onChange={(e) => setBirthDate(e.target.value)} />
      </label>
      <label className="field">
        <span>{t('resident.phone')}</span>
        <input type="tel" maxLength={40} value={phone} onChange={(e) => setPhone(e.target.value)} />
      </label>
      <label className="field">
        <span>{t('resident.gender')}</span>
        <select value={gender} onChange={(e) => setGender(e.target.value)} data-testid="resident-gender">
          <option value="">—</option>
          <option value="male">{t('resident.gender.male')}</option>
          <option value="female">{t('resident.gender.female')}</option>
        </select>
      </label>
      <label className="field">
        <span>{t('resident.idCard')}</span>
        <input
          maxLength={18}
          value={idCard}
          onChange={(e) => setIdCard(e.target.value)}
          placeholder={resident?.idCardNumber ?? resident?.idCardMasked ?? t('resident.idCardHint')}
          data-testid="resident-id-card"
        />
      </label>
      <fieldset className="field span-2">
        <legend>{t('resident.benefits')}</legend>
        <div className="chips">
          {BENEFIT_CATEGORIES.map((b) => (
            <label key={b} className={`chip ${benefits.includes(b) ? 'is-on' : ''}`}>
              <input
                type="checkbox"
                checked={benefits.includes(b)}
                data-testid={`benefit-${b}`}
                onChange={(e) => setBenefits((prev) => (e.target.checked ? [...prev, b] : prev.filter((x) => x !== b)))}
              />
              {t(`benefit.${b}`)}
            </label>
          ))}
        </div>
      </fieldset>
      <label className="field">
        <span>{t('resident.medications')}</span>
        <textarea rows={2} maxLength={1000} value={medications} onChange={(e) => setMedications(e.target.value)} />
      </label>
      <label className="field">
        <span>{t('resident.allergies')}</span>
        <textarea rows={2} maxLength={1000} value={allergies} onChange={(e) => setAllergies(e.target.value)} />
      </label>
      <label className="field">
        <span>{t('resident.gp')}</span>
        <input maxLength={200} value={gp} onChange={(e) => setGp(e.target.value)} />
      </label>
      <label className="field">
        <span>{t('resident.keyHolder')}</span>
        <input maxLength={300} value={keyHolder} onChange={(e) => setKeyHolder(e.target.value)} />
      </label>
      <fieldset className="field span-2">
        <legend>{t('resident.conditions')}</legend>
        <div className="chips">
          {CARE_CONDITIONS.map((c) => (
            <label key={c} className={`chip ${conditions.includes(c) ? 'is-on' : ''}`}>
              <input
                type="checkbox"
                checked={conditions.includes(c)}
                onChange={(e) =>
                  setConditions((prev) => (e.target.checked ? [...prev, c] : prev.filter((x) => x !== c)))
                }
              />
              {t(`condition.${c}`)}
            </label>
          ))}
        </div>
      </fieldset>
      <label className="field">
        <span>{t('resident.nightStart')}</span>
        <input type="time" value={nightStart} onChange={(e) => setNightStart(e.target.value)} />
      </label>
      <label className="field">
        <span>{t('resident.nightEnd')}</span>
        <input type="time" value={nightEnd} onChange={(e) => setNightEnd(e.target.value)} />
      </label>
      <label className="field span-2">
        <span>{t('resident.responderNotes')}</span>
        <textarea
          rows={2}
          maxLength={2000}
          value={notes}
          onChange={(e) => setNotes(e.target.value)}
          placeholder={t('resident.responderNotesHint')}
        />
      </label>
      <fieldset className="field span-2">
        <legend>{t('resident.contacts')}</legend>
        {contacts.map((c, i) => (
          <div key={i} className="contact-row">
            <input
              aria-label={t('contact.name')}
              placeholder={t('contact.name')}
              value={c.name}
              onChange={(e) => setContact(i, { name: e.target.value })}
            />
            <input
              aria-label={t('contact.relation')}
              placeholder={t('contact.relation')}
              value={c.relation}
              onChange={(e) => setContact(i, { relation: e.target.value })}
            />
            <input
              type="tel"
              aria-label={t('contact.phone')}
              placeholder={t('contact.phone')}
              value={c.phone}
              onChange={(e) => setContact(i, { phone: e.target.value })}
            />
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              onClick={() => setContacts((prev) => prev.filter((_, j) => j !== i))}
            >
              {t('common.remove')}
            </button>
          </div>
        ))}
        <button
          type="button"
          className="btn btn-sm"
          onClick={() => setContacts((prev) => [...prev, { name: '', relation: '', phone: '' }])}
        >
          + {t('contact.add')}
        </button>
      </fieldset>
      <div className="span-2">
        <ErrorLine error={error} />
        <div className="actions-row">
          {onCancel && (
            <button type="button" className="btn" onClick={onCancel}>
              {t('common.cancel')}
            </button>
          )}
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="resident-save">
            {resident ? t('common.save') : t('resident.create')}
          </button>
        </div>
      </div>
    </form>
  );
}
