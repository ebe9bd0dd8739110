import { useState, type FormEvent } from 'react';
import { LanguageSwitch, useI18n, type MessageKey } from '../i18n/i18n';
import { LoginError, useSession, type LoginFailure } from './session';

const FAILURE_MESSAGES: Record<LoginFailure, MessageKey> = {
  credentials: 'login.error.credentials',
  rate_limited: 'login.error.rateLimited',
  wrong_app: 'login.error.wrongApp',
  network: 'login.error.network',
  server: 'login.error.server',
};

/** The sign-in form of both apps; `onSignedIn` lets the console unlock audio on this user gesture. */
export function LoginPage({
  title,
  subtitle,
  onSignedIn,
}: {
  title: string;
  subtitle: string;
  onSignedIn?: () => void;
}) {
  const { t } = useI18n();
  const { login } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<LoginFailure | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSignedIn?.();
    setBusy(true);
    setFailure(null);
    login(username.trim(), password)
      .catch((error: unknown) => setFailure(error instanceof LoginError ? error.reason : 'server'))
      .finally(() => setBusy(false));
  };

  return (
    <main className="login-screen">
      <form className="login-card" onSubmit={submit} data-testid="login-form" aria-labelledby="login-title">
        <div className="login-brand">
          <span className="brand-mark" aria-hidden="true">
            安
          </span>
          <div>
            <h1 id="login-title">{title}</h1>
            <p className="muted">{subtitle}</p>
          </div>
        </div>
        <label className="field">
          <span>{t('login.username')}</span>
          <input
            name="username"
            data-testid="login-username"
            autoComplete="username"
            autoFocus
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('login.password')}</span>
          <input
            name="password"
            type="password"
            data-testid="login-password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {failure && (
          <p className="form-error" role="alert" data-testid="login-error">
            {t(FAILURE_MESSAGES[failure])}
          </p>
        )}
        <button className="btn btn-primary btn-block" type="submit" disabled={busy} data-testid="login-submit">
          {busy ? t('login.signingIn') : t('login.submit')}
        </button>
        <div className="login-foot">
          <LanguageSwitch />
        </div>
      </form>
    </main>
  );
}
