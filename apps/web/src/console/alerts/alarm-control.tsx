import { useI18n } from '../../i18n/i18n';
import { formatElapsed } from '../../time/time-format';
import { useNow } from '../../time/use-now';
import { useConsoleLive } from '../live/console-live';

/** The visible side of the alarm: what is sounding, a mute that expires, and "enable sound". */
export function AlarmControl() {
  const { t } = useI18n();
  const { alarm } = useConsoleLive();
  const now = useNow(1000);
  const attrs = {
    'data-testid': 'alarm-control',
    'data-alarm': alarm.sounding ? 'on' : 'off',
    'data-audio': alarm.audio,
  };
  if (alarm.mutedUntil !== null) {
    return (
      <div className="alarm alarm-muted" {...attrs}>
        <span aria-live="polite">{t('alarm.mutedFor', { time: formatElapsed(alarm.mutedUntil - now) })}</span>
        <button type="button" className="btn btn-sm" onClick={alarm.unmute} data-testid="alarm-unmute">
          {t('alarm.unmute')}
        </button>
      </div>
    );
  }
  if (!alarm.sounding) {
    return (
      <div className="alarm alarm-quiet" {...attrs}>
        <span className="alarm-icon" aria-hidden="true">
          ◔
        </span>
        {t('alarm.quiet')}
      </div>
    );
  }
  return (
    <div className="alarm alarm-on" role="alert" {...attrs}>
      <span className="alarm-icon" aria-hidden="true">
        ◉
      </span>
      <span>{t('alarm.sounding', { count: alarm.pending })}</span>
      {alarm.audio === 'blocked' && (
        <button
          type="button"
          className="btn btn-sm btn-warn"
          onClick={alarm.enableAudio}
          data-testid="alarm-enable-audio"
        >
          {t('alarm.enableAudio')}
        </button>
      )}
      <button type="button" className="btn btn-sm" onClick={alarm.mute} data-testid="alarm-mute">
        {t('alarm.mute')}
      </button>
    </div>
  );
}
