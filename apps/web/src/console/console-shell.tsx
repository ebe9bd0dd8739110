import { LanguageSwitch, useI18n, type MessageKey } from '../i18n/i18n';
import { ConnectionIndicator } from '../session/connection-indicator';
import { useSignedIn } from '../session/session';
import { useTimeFormat } from '../time/time-format';
import { useNow } from '../time/use-now';
import { OrgUnitsPage } from './admin/org-units-page';
import { ServiceOrgsPage } from './admin/service-orgs-page';
import { SettingsPage } from './admin/settings-page';
import { UsersPage } from './admin/users-page';
import { AlarmControl } from './alerts/alarm-control';
import { AlertBoard } from './alerts/alert-board';
import { AlertDetail } from './alerts/alert-detail';
import { isMaintenanceAlert } from './alerts/alert-lanes';
import { Link, matchPath, useRouter } from './console-router';
import { useConsoleLive } from './live/console-live';
import { AlertHistoryPage } from './history/alert-history-page';
import { CarePlansPage } from './care-plans/care-plans-page';
import { MaintenancePage } from './maintenance/maintenance-page';
import { OrdersBoard } from './orders/orders-board';
import { ResidentsPage } from './registry/residents-page';
import { WallScreen } from './screen/wall-screen';
import { StatsPage } from './stats/stats-page';

interface NavItem {
  to: string;
  label: MessageKey;
  adminOnly?: boolean;
  count?: number;
  testId: string;
}

function Clock() {
  const now = useNow(1000);
  const fmt = useTimeFormat();
  return (
    <span className="clock" title={fmt.timeZone}>
      {fmt.time(new Date(now))}
    </span>
  );
}

function Notices() {
  const { notices, dismissNotice } = useConsoleLive();
  if (notices.length === 0) return null;
  return (
    <div className="notices" aria-live="assertive">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.tone}`} data-testid="notice">
          {n.link ? (
            <Link to={n.link} onClick={() => dismissNotice(n.id)}>
              {n.text}
            </Link>
          ) : (
            <span>{n.text}</span>
          )}
          <button type="button" className="btn btn-ghost btn-icon" onClick={() => dismissNotice(n.id)} aria-label="×">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

export function ConsoleShell() {
  const { t } = useI18n();
  const { session, logout } = useSignedIn();
  const { path, navigate } = useRouter();
  const live = useConsoleLive();
  const isAdmin = session.user.role === 'admin';
  const emergency = live.alerts.filter((a) => !isMaintenanceAlert(a)).length;
  const maintenance = live.alerts.length - emergency;
  const activeOrders = [...live.orders.values()].filter((o) => o.status === 'unassigned').length;

  const nav: NavItem[] = [
    { to: '/alerts', label: 'nav.alerts', count: emergency, testId: 'nav-alerts' },
    { to: '/orders', label: 'nav.orders', count: activeOrders || undefined, testId: 'nav-orders' },
    { to: '/maintenance', label: 'nav.maintenance', count: maintenance, testId: 'nav-maintenance' },
    { to: '/history', label: 'nav.history', testId: 'nav-history' },
    { to: '/stats', label: 'nav.stats', testId: 'nav-stats' },
    { to: '/residents', label: 'nav.residents', testId: 'nav-residents' },
    { to: '/care-plans', label: 'nav.carePlans', testId: 'nav-care-plans' },
    { to: '/users', label: 'nav.users', testId: 'nav-users' },
    { to: '/org-units', label: 'nav.orgUnits', adminOnly: true, testId: 'nav-org-units' },
    { to: '/service-orgs', label: 'nav.serviceOrgs', testId: 'nav-service-orgs' },
    { to: '/settings', label: 'nav.settings', adminOnly: true, testId: 'nav-settings' },
  ];

  // The command centre's wall screen: full screen, without the console's bar.
  if (path === '/screen') return <WallScreen />;
  const alertMatch = matchPath('/alerts/:id', path);
  const residentMatch = matchPath('/residents/:id', path);
  const historyMatch = matchPath('/history/:id', path);
  let page;
  if (path === '/' || path === '/alerts' || alertMatch) {
    const id = alertMatch?.id ?? null;
    page = (
      <div className={`split split-board ${id ? 'has-detail' : ''}`}>
        <AlertBoard selectedId={id} />
        {id && <AlertDetail key={id} id={id} onClose={() => navigate('/alerts')} />}
      </div>
    );
  } else if (path === '/orders') page = <OrdersBoard />;
  else if (path === '/maintenance') page = <MaintenancePage />;
  else if (path === '/history' || historyMatch) page = <AlertHistoryPage selectedId={historyMatch?.id ?? null} />;
  else if (path === '/stats') page = <StatsPage />;
  else if (path === '/residents' || residentMatch) page = <ResidentsPage selectedId={residentMatch?.id ?? null} />;
  else if (path === '/care-plans') page = <CarePlansPage />;
  else if (path === '/users') page = <UsersPage />;
  else if (path === '/org-units' && isAdmin) page = <OrgUnitsPage />;
  else if (path === '/service-orgs') page = <ServiceOrgsPage />;
  else if (path === '/settings' && isAdmin) page = <SettingsPage />;
  else
    page = (
      <section className="panel placeholder">
        <p>{t('nav.notFound')}</p>
        <Link to="/alerts">{t('nav.alerts')}</Link>
      </section>
    );

  return (
    <div className="console" data-testid="console" data-role={session.user.role}>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            安
          </span>
          <span className="brand-name">{t('app.console.brand')}</span>
        </div>
        <nav className="nav" aria-label={t('nav.label')}>
          {nav
            .filter((n) => !n.adminOnly || isAdmin)
            .map((n) => {
              const active = path === n.to || path.startsWith(`${n.to}/`) || (n.to === '/alerts' && path === '/');
              return (
                <Link
                  key={n.to}
                  to={n.to}
                  className={`nav-link ${active ? 'is-active' : ''}`}
                  aria-current={active ? 'page' : undefined}
                  data-testid={n.testId}
                >
                  {t(n.label)}
                  {n.count ? (
                    <span className={`nav-count ${n.to === '/alerts' ? 'nav-count-hot' : ''}`}>{n.count}</span>
                  ) : null}
                </Link>
              );
            })}
        </nav>
        <div className="topbar-right">
          <AlarmControl />
          <ConnectionIndicator state={live.connection} />
          <Clock />
          <LanguageSwitch />
          <span className="user" data-testid="current-user">
            <span className="user-name">{session.user.username}</span>
            <span className="user-role">{t(`role.${session.user.role}`)}</span>
          </span>
          <button type="button" className="btn btn-ghost" onClick={logout} data-testid="logout">
            {t('nav.logout')}
          </button>
        </div>
      </header>
      <main className="page">{page}</main>
      <Notices />
    </div>
  );
}
