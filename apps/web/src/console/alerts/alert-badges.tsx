import type { AlertStatus, OrderStatus, Severity } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';

export function SeverityBadge({ severity }: { severity: Severity }) {
  const { t } = useI18n();
  return <span className={`sev-badge sev-${severity}`}>{t(`severity.${severity}`)}</span>;
}

export function AlertStatusBadge({ status }: { status: AlertStatus }) {
  const { t } = useI18n();
  return (
    <span className={`status-badge status-${status}`} data-status={status}>
      {t(`alertStatus.${status}`)}
    </span>
  );
}

export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  const { t } = useI18n();
  return (
    <span className={`status-badge order-${status}`} data-status={status}>
      {t(`orderStatus.${status}`)}
    </span>
  );
}
