import { useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { Dialog, ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import type { Resident } from './registry-types';

/**
 * Issue 16 (PIPL), admins only: download everything held on the resident (导出档案), or erase their
 * personal data (注销档案) after a confirmation that says what it does and that it cannot be undone.
 */
export function ResidentPersonalData({ resident, onErased }: { resident: Resident; onErased: (r: Resident) => void }) {
  const { t } = useI18n();
  const { api, session } = useSignedIn();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (session.user.role !== 'admin') return null;

  const download = () => {
    setError(null);
    api
      .download(`/residents/${resident.id}/export`, { format: 'xlsx' }, 'resident-export.xlsx')
      .catch((e: unknown) => setError(errorText(e, t)));
  };
  const erase = () => {
    setBusy(true);
    setError(null);
    api
      .post<Resident>(`/residents/${resident.id}/erase`)
      .then((erased) => {
        setConfirming(false);
        onErased(erased);
      })
      .catch((e: unknown) => setError(errorText(e, t)))
      .finally(() => setBusy(false));
  };

  return (
    <div className="personal-data" data-testid="resident-personal-data">
      {resident.erasedAt && (
        <p className="muted" data-testid="resident-erased">
          {t('personalData.erasedNotice')}
        </p>
      )}
      <div className="row-actions">
        <button type="button" className="btn btn-sm" onClick={download} data-testid="resident-export">
          {t('personalData.export')}
        </button>
        {!resident.erasedAt && (
          <button
            type="button"
            className="btn btn-sm btn-danger"
            onClick={() => setConfirming(true)}
            data-testid="resident-erase"
          >
            {t('personalData.erase')}
          </button>
        )}
      </div>
      {!confirming && <ErrorLine error={error} />}
      {confirming && (
        <Dialog
          title={t('personalData.eraseTitle')}
          onClose={() => setConfirming(false)}
          testId="resident-erase-dialog"
        >
          <div className="stack">
            <p>{t('personalData.eraseIntro', { name: resident.name })}</p>
            <ul className="plain-list">
              <li>{t('personalData.eraseArchive')}</li>
              <li>{t('personalData.eraseDevices')}</li>
              <li>{t('personalData.eraseOpen')}</li>
              <li>{t('personalData.eraseHistory')}</li>
            </ul>
            <p className="strong">{t('personalData.eraseFinal')}</p>
            <ErrorLine error={error} />
            <div className="row-actions">
              <button type="button" className="btn" onClick={() => setConfirming(false)}>
                {t('common.cancel')}
              </button>
              <button
                type="button"
                className="btn btn-danger"
                disabled={busy}
                onClick={erase}
                data-testid="resident-erase-confirm"
              >
                {t('personalData.eraseConfirm')}
              </button>
            </div>
          </div>
        </Dialog>
      )}
    </div>
  );
}
