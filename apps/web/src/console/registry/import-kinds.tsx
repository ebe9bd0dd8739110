import { type MessageKey, useI18n } from '../../i18n/i18n';
import { useDirectory } from './directory';
import type { ImportKind, ImportResult } from './spreadsheet-import-dialog';

export const RESIDENT_IMPORT: ImportKind<ImportResult> = {
  path: '/residents',
  title: 'import.title',
  hint: 'import.hint',
  done: 'import.done',
  testId: 'resident-import-dialog',
};

interface ImportedDevice {
  id: string;
  type: string;
  residentId: string;
  serial: string | null;
  secret: string;
}
type DeviceImportResult = ImportResult & { devices: ImportedDevice[] };

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The new devices' secrets as a CSV file — the only time they can be had; the platform keeps hashes. */
function DeviceSecrets({ result }: { result: DeviceImportResult }) {
  const { t } = useI18n();
  const directory = useDirectory();
  const save = () => {
    const lines = [
      ['设备ID', '设备类型', '住户', '序列号', '密钥'],
      ...result.devices.map((d) => [
        d.id,
        t(`deviceType.${d.type}` as MessageKey),
        directory.residentName(d.residentId),
        d.serial ?? '',
        d.secret,
      ]),
    ];
    const text = `\uFEFF${lines.map((l) => l.map(csvCell).join(',')).join('\r\n')}\r\n`;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
    link.download = '设备密钥.csv';
    link.click();
    URL.revokeObjectURL(link.href);
  };
  return (
    <p className="import-templates">
      <button type="button" className="btn btn-primary" onClick={save} data-testid="import-secrets">
        {t('import.devices.secrets')}
      </button>
      <span className="muted">{t('import.devices.secretsOnce')}</span>
    </p>
  );
}

export const DEVICE_IMPORT: ImportKind<DeviceImportResult> = {
  path: '/devices',
  title: 'import.devices.title',
  hint: 'import.devices.hint',
  done: 'import.devices.done',
  testId: 'device-import-dialog',
  afterImport: (result) => <DeviceSecrets result={result} />,
};
