import { useI18n } from '../i18n/i18n';
import { LoginPage } from '../session/login-page';
import { useSession } from '../session/session';
import { alarmSound } from './alerts/alarm-sound';
import { ConsoleShell } from './console-shell';
import { RouterProvider } from './console-router';
import { ConsoleLiveProvider } from './live/console-live';
import { DirectoryProvider } from './registry/directory';

/** The login click is the user gesture that lets the alarm play and asks to show notifications. */
function prepareAlerting() {
  alarmSound.unlock();
  if ('Notification' in window && Notification.permission === 'default') {
    void Notification.requestPermission().catch(() => undefined);
  }
}

export function ConsoleApp() {
  const { t } = useI18n();
  const { session } = useSession();
  if (!session) {
    return (
      <LoginPage title={t('app.console.brand')} subtitle={t('app.console.subtitle')} onSignedIn={prepareAlerting} />
    );
  }
  return (
    <RouterProvider key={session.user.id}>
      <DirectoryProvider>
        <ConsoleLiveProvider>
          <ConsoleShell />
        </ConsoleLiveProvider>
      </DirectoryProvider>
    </RouterProvider>
  );
}
