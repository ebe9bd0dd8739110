import { useI18n } from '../i18n/i18n';
import type { ConnectionState } from './realtime';

export function ConnectionIndicator({ state }: { state: ConnectionState }) {
  const { t } = useI18n();
  return (
    <span className={`conn conn-${state}`} data-testid="connection" data-state={state} role="status" aria-live="polite">
      <span className="conn-dot" aria-hidden="true" />
      {t(`connection.${state}`)}
    </span>
  );
}
