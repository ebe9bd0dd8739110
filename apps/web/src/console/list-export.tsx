import { useState } from 'react';
import { useI18n } from '../i18n/i18n';
import { useSignedIn } from '../session/session';
import { ErrorLine } from '../ui/dialog';
import { errorText } from '../session/api-errors';

type Query = Record<string, string | number | boolean | undefined | null>;

/**
 * 导出 Excel on a list page (issue 16): the platform writes every row the page's filters match (not only
 * the page on screen), with names and local times, and audits the export.
 */
export function ExportButton({ path, query, fallbackName }: { path: string; query?: Query; fallbackName: string }) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = () => {
    setBusy(true);
    setError(null);
    const { limit: _limit, offset: _offset, page: _page, pageSize: _size, ...filters } = query ?? {};
    api
      .download(path, { ...filters, format: 'xlsx' }, `${fallbackName}.xlsx`)
      .catch((e: unknown) => setError(errorText(e, t)))
      .finally(() => setBusy(false));
  };
  return (
    <>
      <button type="button" className="btn" disabled={busy} onClick={run} data-testid="list-export">
        {busy ? t('export.busy') : t('export.xlsx')}
      </button>
      <ErrorLine error={error} />
    </>
  );
}
