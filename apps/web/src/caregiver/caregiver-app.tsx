import { useState } from 'react';
import { LanguageSwitch, useI18n } from '../i18n/i18n';
import { ConnectionIndicator } from '../session/connection-indicator';
import { LoginPage } from '../session/login-page';
import { useSession, useSignedIn } from '../session/session';
import { DutyBar, useCaregiverProfile } from './duty/caregiver-profile';
import { CurrentTaskCard, HistoryList, OfferCard } from './tasks/task-cards';
import { TasksProvider, useTasks } from './tasks/use-tasks';

function TasksScreen() {
  const { t } = useI18n();
  const { session, logout } = useSignedIn();
  const tasks = useTasks();
  const { profile, setOnDuty } = useCaregiverProfile();
  const [tab, setTab] = useState<'tasks' | 'history'>('tasks');
  const empty = tasks.offers.length === 0 && tasks.current.length === 0;
  return (
    <div className="cg" data-testid="caregiver-app">
      <header className="cg-top">
        <div className="cg-who">
          <span className="brand-mark small" aria-hidden="true">
            安
          </span>
          <span data-testid="current-user" title={session.user.username}>
            {profile?.displayName ?? session.user.username}
          </span>
        </div>
        <ConnectionIndicator state={tasks.connection} />
        <LanguageSwitch className="btn btn-ghost btn-sm" />
        <button type="button" className="btn btn-ghost btn-sm" onClick={logout} data-testid="logout">
          {t('nav.logout')}
        </button>
      </header>
      <DutyBar profile={profile} setOnDuty={setOnDuty} />
      {tasks.connection !== 'online' && tasks.connection !== 'connecting' && (
        <p className="cg-banner" role="status">
          {t('task.reconnecting')}
        </p>
      )}
      <main className="cg-main">
        {tab === 'tasks' ? (
          <>
            {tasks.offers.length > 0 && (
              <section aria-labelledby="offers-title">
                <h1 id="offers-title" className="section-title">
                  {t('task.offers')} <span className="count-pill hot">{tasks.offers.length}</span>
                </h1>
                {tasks.offers.map((task) => (
                  <OfferCard key={task.id} task={task} />
                ))}
              </section>
            )}
            {tasks.current.length > 0 && (
              <section aria-labelledby="current-title">
                <h1 id="current-title" className="section-title">
                  {t('task.current')}
                </h1>
                {tasks.current.map((task) => (
                  <CurrentTaskCard key={task.id} task={task} />
                ))}
              </section>
            )}
            {empty && (
              <div className="cg-empty" data-testid="tasks-empty">
                <div className="empty-mark" aria-hidden="true">
                  ✓
                </div>
                <p>{tasks.synced ? t('task.none') : t('common.loading')}</p>
                <p className="muted small">{t('task.noneHint')}</p>
              </div>
            )}
          </>
        ) : (
          <section>
            <h1 className="section-title">{t('task.history')}</h1>
            <HistoryList tasks={tasks.history} />
          </section>
        )}
      </main>
      <nav className="cg-tabs" aria-label={t('nav.label')}>
        <button
          type="button"
          className={tab === 'tasks' ? 'is-on' : ''}
          aria-current={tab === 'tasks' ? 'page' : undefined}
          onClick={() => setTab('tasks')}
          data-testid="tab-tasks"
        >
          {t('task.tabTasks')}
          {tasks.offers.length > 0 && <span className="count-pill hot">{tasks.offers.length}</span>}
        </button>
        <button
          type="button"
          className={tab === 'history' ? 'is-on' : ''}
          aria-current={tab === 'history' ? 'page' : undefined}
          onClick={() => setTab('history')}
          data-testid="tab-history"
        >
          {t('task.history')}
        </button>
      </nav>
    </div>
  );
}

export function CaregiverApp() {
  const { t } = useI18n();
  const { session } = useSession();
  if (!session) return <LoginPage title={t('app.caregiver.brand')} subtitle={t('app.caregiver.subtitle')} />;
  return (
    <TasksProvider key={session.user.id}>
      <TasksScreen />
    </TasksProvider>
  );
}
