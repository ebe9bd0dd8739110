import type { AlertStatus, AlertView, OrderStatus, Severity } from '@anxin/contract';
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

/** What the operator must act on beyond the status: nobody accepted, arrival overdue, contacts not reached. */
export function AlertFlags({ alert }: { alert: AlertView }) {
  const { t } = useI18n();
  const unassigned = alert.status !== 'resolved' && alert.orderStatus === 'unassigned';
  return (
    <>
      {unassigned && (
        <span className="status-badge flag-badge flag-unassigned" data-testid="alert-unassigned">
          {t('alertFlag.unassigned')}
        </span>
      )}
      {alert.arrivalOverdue && (
        <span className="status-badge flag-badge flag-overdue" data-testid="alert-arrival-overdue">
          {t('alertFlag.arrivalOverdue')}
        </span>
      )}
      {alert.notificationFailed && (
        <span className="status-badge flag-badge flag-notify" data-testid="alert-notification-failed">
          {t('alertFlag.notificationFailed')}
        </span>
      )}
    </>
  );
}
