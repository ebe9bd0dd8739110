import { useEffect, useState, type FormEvent } from 'react';
import type { RetentionSettings } from '@anxin/contract';
import { useI18n, type MessageKey } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';

const FIELDS: { key: keyof RetentionSettings; label: MessageKey }[] = [
  { key: 'deviceEventsDays', label: 'settings.retention.deviceEventsDays' },
  { key: 'alertsDays', label: 'settings.retention.alertsDays' },
  { key: 'ordersDays', label: 'settings.retention.ordersDays' },
  { key: 'auditLogDays', label: 'settings.retention.auditLogDays' },
];

type Draft = Record<keyof RetentionSettings, string>;
const asDraft = (s: RetentionSettings): Draft =>
  Object.fromEntries(FIELDS.map(({ key }) => [key, s[key] === null ? '' : String(s[key])])) as Draft;

/** Admins only (系统设置): how long history is kept (issue 16, PIPL); an empty field keeps it forever. */
export function SettingsPage() {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    let live = true;
    api
      .get<RetentionSettings>('/settings/retention')
      .then((s) => live && setDraft(asDraft(s)))
      .catch((e: unknown) => live && setError(errorText(e, t)));
    return () => {
      live = false;
    };
  }, [api, t]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    setError(null);
    setSaved(false);
    const body = Object.fromEntries(
      FIELDS.map(({ key }) => [key, draft[key].trim() === '' ? null : Number(draft[key])]),
    ) as RetentionSettings;
    api
      .request<RetentionSettings>('PUT', '/settings/retention', body)
      .then(({ data }) => {
        setDraft(asDraft(data));
        setSaved(true);
      })
      .catch((e: unknown) => setError(errorText(e, t)));
  };

  return (
    <section className="panel" data-testid="settings-page">
      <header className="panel-head">
        <h2>{t('settings.title')}</h2>
      </header>
      <form className="stack pad" onSubmit={submit} data-testid="retention-form">
        <h3>{t('settings.retention.title')}</h3>
        <p className="muted">{t('settings.retention.hint')}</p>
        {draft &&
          FIELDS.map(({ key, label }) => (
            <label className="field" key={key}>
              <span>{t(label)}</span>
              <input
                type="number"
                min={1}
                max={36500}
                step={1}
                inputMode="numeric"
                placeholder={t('settings.retention.forever')}
                value={draft[key]}
                onChange={(e) => {
                  setSaved(false);
                  setDraft({ ...draft, [key]: e.target.value });
                }}
                data-testid={`retention-${key}`}
              />
            </label>
          ))}
        <ErrorLine error={error} />
        {saved && (
          <p className="ok-line" data-testid="retention-saved">
            {t('common.saved')}
          </p>
        )}
        <div className="row-actions">
          <button type="submit" className="btn btn-primary" disabled={!draft} data-testid="retention-save">
            {t('common.save')}
          </button>
        </div>
      </form>
    </section>
  );
}
