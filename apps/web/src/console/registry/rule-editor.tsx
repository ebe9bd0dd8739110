import { type FormEvent, useState } from 'react';
import { type CareProfile, RULE_DEFAULTS, type RuleOverrides } from '@anxin/contract';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import type { Resident } from './registry-types';

type RuleKey = keyof RuleOverrides;
/** The rules an operator tunes per resident, with the unit each is entered in. */
const FIELDS: { key: RuleKey; unit: 'perMinute' | 'seconds' }[] = [
  { key: 'heartRateMin', unit: 'perMinute' },
  { key: 'heartRateMax', unit: 'perMinute' },
  { key: 'respirationMin', unit: 'perMinute' },
  { key: 'respirationMax', unit: 'perMinute' },
  { key: 'vitalsSustainSeconds', unit: 'seconds' },
  { key: 'apnoeaSeconds', unit: 'seconds' },
  { key: 'bedReturnSeconds', unit: 'seconds' },
  { key: 'inactivitySeconds', unit: 'seconds' },
  { key: 'readingMissingSeconds', unit: 'seconds' },
  { key: 'sosCancelSeconds', unit: 'seconds' },
];

/**
 * 告警规则 (issue 16): the resident's own thresholds, windows and safe zone, each beside the default it
 * overrides; an empty field means the default.
 */
export function RuleEditor({ resident, onSaved }: { resident: Resident; onSaved: (r: Resident) => void }) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const profile: CareProfile = resident.careProfile ?? {};
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(FIELDS.map(({ key }) => [key, profile.rules?.[key]?.toString() ?? ''])),
  );
  const [zone, setZone] = useState({
    lat: profile.safeZone?.lat?.toString() ?? '',
    lon: profile.safeZone?.lon?.toString() ?? '',
    radiusM: profile.safeZone?.radiusM?.toString() ?? '',
  });
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const rules: RuleOverrides = {};
    for (const { key } of FIELDS) if (values[key]?.trim()) rules[key] = Number(values[key]);
    const zoneParts = [zone.lat, zone.lon, zone.radiusM].map((v) => v.trim());
    if (zoneParts.some(Boolean) && !zoneParts.every(Boolean)) {
      setError(t('rules.zoneIncomplete'));
      return;
    }
    const careProfile: CareProfile = { ...profile, rules };
    if (zoneParts.every(Boolean))
      careProfile.safeZone = { lat: Number(zone.lat), lon: Number(zone.lon), radiusM: Number(zone.radiusM) };
    else delete careProfile.safeZone;
    setBusy(true);
    setError(null);
    setSaved(false);
    api
      .patch<Resident>(`/residents/${resident.id}`, { careProfile })
      .then((r) => {
        setSaved(true);
        onSaved(r);
      })
      .catch((e: unknown) => setError(errorText(e, t)))
      .finally(() => setBusy(false));
  };

  const defaultText = (key: RuleKey, unit: 'perMinute' | 'seconds') =>
    t('rules.default', {
      value:
        unit === 'perMinute' ? t('reading.perMinute', { n: RULE_DEFAULTS[key] }) : humanSeconds(t, RULE_DEFAULTS[key]),
    });

  return (
    <section className="card" data-testid="rule-editor">
      <h3>{t('rules.title')}</h3>
      <form className="form-grid" onSubmit={submit}>
        {FIELDS.map(({ key, unit }) => (
          <label key={key} className="field">
            <span>
              {t(`rules.${key}` as MessageKey)} ({t(unit === 'perMinute' ? 'rules.unitPerMinute' : 'rules.unitSeconds')}
              )
            </span>
            <input
              type="number"
              min={0}
              value={values[key] ?? ''}
              placeholder={defaultText(key, unit)}
              data-testid={`rule-${key}`}
              onChange={(e) => setValues((v) => ({ ...v, [key]: e.target.value }))}
            />
            <small className="muted">{defaultText(key, unit)}</small>
          </label>
        ))}
        <fieldset className="field span-2">
          <legend>{t('rules.safeZone')}</legend>
          <div className="contact-row">
            {(['lat', 'lon', 'radiusM'] as const).map((k) => (
              <input
                key={k}
                type="number"
                step="any"
                aria-label={t(`rules.zone.${k}`)}
                placeholder={t(`rules.zone.${k}`)}
                value={zone[k]}
                data-testid={`rule-zone-${k}`}
                onChange={(e) => setZone((z) => ({ ...z, [k]: e.target.value }))}
              />
            ))}
          </div>
          <small className="muted">{t('rules.zoneHint')}</small>
        </fieldset>
        <div className="span-2">
          <ErrorLine error={error} />
          {saved && !error && (
            <p className="ok-line" data-testid="rules-saved">
              {t('common.saved')}
            </p>
          )}
          <div className="actions-row">
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="rules-save">
              {t('common.save')}
            </button>
          </div>
        </div>
      </form>
    </section>
  );
}

function humanSeconds(t: ReturnType<typeof useI18n>['t'], seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return t('rules.hours', { n: seconds / 3600 });
  if (seconds >= 60 && seconds % 60 === 0) return t('rules.minutes', { n: seconds / 60 });
  return t('history.seconds', { n: seconds });
}
