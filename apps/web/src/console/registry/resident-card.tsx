import type { DegradedDevice } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { DegradedDeviceList, ProtectionBadge } from './protection';
import type { Resident } from './registry-types';

/**
 * The resident record as a responder needs it: who, where, what to know, whom to call,
 * and whether their safety devices protect them (`degradedDevices`: the freshest known, e.g. from a live alert).
 */
export function ResidentCard({
  resident,
  age,
  degradedDevices,
}: {
  resident: Resident;
  age: number | null;
  degradedDevices?: DegradedDevice[];
}) {
  const { t } = useI18n();
  const degraded = degradedDevices ?? resident.degradedDevices ?? [];
  const profile = resident.careProfile ?? {};
  const contacts = [...(resident.emergencyContacts ?? [])].sort((a, b) => (a.order ?? 99) - (b.order ?? 99));
  return (
    <section className="card resident-card" data-testid="resident-card">
      <h3>{t('resident.record')}</h3>
      <div className="resident-name">
        <b>{resident.name}</b>
        {age !== null && <span className="muted">{t('resident.age', { n: age })}</span>}
        <ProtectionBadge devices={degraded} />
      </div>
      {degraded.length > 0 && <DegradedDeviceList devices={degraded} />}
      <dl className="facts facts-stacked">
        <div>
          <dt>{t('resident.address')}</dt>
          <dd data-testid="resident-address">{resident.address ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('resident.phone')}</dt>
          <dd>{resident.phone ? <a href={`tel:${resident.phone}`}>{resident.phone}</a> : '—'}</dd>
        </div>
        <div>
          <dt>{t('resident.conditions')}</dt>
          <dd>
            {(profile.conditions ?? []).length === 0
              ? '—'
              : profile.conditions!.map((c) => (
                  <span key={c} className="tag">
                    {t(`condition.${c}`)}
                  </span>
                ))}
          </dd>
        </div>
        {profile.nightWindow && (
          <div>
            <dt>{t('resident.nightWindow')}</dt>
            <dd>
              {profile.nightWindow.start}–{profile.nightWindow.end}
            </dd>
          </div>
        )}
      </dl>
      {profile.responderNotes && (
        <div className="responder-notes" data-testid="responder-notes">
          <span className="notes-label">{t('resident.responderNotes')}</span>
          <p>{profile.responderNotes}</p>
        </div>
      )}
      <h4>{t('resident.contacts')}</h4>
      {contacts.length === 0 ? (
        <p className="muted">{t('common.none')}</p>
      ) : (
        <ul className="contacts" data-testid="resident-contacts">
          {contacts.map((c, i) => (
            <li key={`${c.phone}${i}`}>
              <span>
                {c.name}
                {c.relation && <span className="muted"> · {c.relation}</span>}
              </span>
              <a className="tel" href={`tel:${c.phone}`}>
                {c.phone}
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
