import { type ReactNode, useState } from 'react';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { Dialog, ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';

export interface ImportResult {
  dryRun: boolean;
  rows: number;
  imported: number;
  errors: { row: number; column: string; message: string }[];
}

/** What differs between the imports (residents, devices): where they go and what they say. */
export interface ImportKind<R extends ImportResult> {
  /** e.g. `/residents`: its `/import` and `/import-template`. */
  path: string;
  title: MessageKey;
  hint: MessageKey;
  done: MessageKey;
  testId: string;
  /** Shown under the result once imported (the devices' secrets). */
  afterImport?: (result: R) => ReactNode;
}

/**
 * 批量导入 (issue 16): download the template, pick a filled-in sheet, check it (every row's errors
 * listed, nothing written), then import it — all rows or none.
 */
export function SpreadsheetImportDialog<R extends ImportResult>({
  kind,
  onClose,
  onImported,
}: {
  kind: ImportKind<R>;
  onClose: () => void;
  onImported: () => void;
}) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const [file, setFile] = useState<File | null>(null);
  const [checked, setChecked] = useState<ImportResult | null>(null);
  const [done, setDone] = useState<R | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const send = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const typed = file.name.toLowerCase().endsWith('.csv')
        ? new File([file], file.name, { type: 'text/csv' })
        : new File([file], file.name, {
            type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          });
      const result = await api.upload<R>(`${kind.path}/import`, { dryRun }, typed, [422]);
      if (dryRun) setChecked(result);
      else if (result.errors.length > 0) setChecked(result);
      else {
        setDone(result);
        onImported();
      }
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={t(kind.title)} onClose={onClose} wide testId={kind.testId}>
      <p className="muted">{t(kind.hint)}</p>
      <p className="import-templates">
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => void api.download(`${kind.path}/import-template`, { format: 'xlsx' }, 'template.xlsx')}
          data-testid="import-template-xlsx"
        >
          {t('import.templateXlsx')}
        </button>
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => void api.download(`${kind.path}/import-template`, { format: 'csv' }, 'template.csv')}
        >
          {t('import.templateCsv')}
        </button>
      </p>
      <p className="import-templates">
        <label className="btn">
          {t('import.pick')}
          <input
            type="file"
            accept=".xlsx,.csv"
            hidden
            data-testid="import-file"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setChecked(null);
              setDone(null);
            }}
          />
        </label>
        <span data-testid="import-file-name">{file?.name ?? t('import.noFile')}</span>
      </p>
      <ErrorLine error={error} />
      {checked && checked.errors.length > 0 && (
        <div className="table-wrap import-errors" data-testid="import-errors">
          <p className="form-error">{t('import.hasErrors', { n: checked.errors.length, rows: checked.rows })}</p>
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">{t('import.col.row')}</th>
                <th scope="col">{t('import.col.column')}</th>
                <th scope="col">{t('import.col.message')}</th>
              </tr>
            </thead>
            <tbody>
              {checked.errors.map((e, i) => (
                <tr key={i} data-testid="import-error">
                  <td className="num">{e.row || '—'}</td>
                  <td>{e.column || '—'}</td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {checked && checked.errors.length === 0 && !done && (
        <p className="ok-line" data-testid="import-ready">
          {t('import.ready', { rows: checked.rows })}
        </p>
      )}
      {done && (
        <p className="ok-line" data-testid="import-done">
          {t(kind.done, { n: done.imported })}
        </p>
      )}
      {done && kind.afterImport?.(done)}
      <footer className="actions-row">
        <button
          type="button"
          className="btn"
          disabled={!file || busy}
          onClick={() => void send(true)}
          data-testid="import-check"
        >
          {t('import.check')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={!checked || checked.errors.length > 0 || checked.rows === 0 || busy || done !== null}
          onClick={() => void send(false)}
          data-testid="import-submit"
        >
          {t('import.submit')}
        </button>
      </footer>
    </Dialog>
  );
}
