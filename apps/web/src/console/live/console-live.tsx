import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import {
  CONSOLE_NAMESPACE,
  type AlertView,
  type ConsoleClientToServerEvents,
  type ConsoleServerToClientEvents,
  type ServiceOrderView,
} from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useRealtime, type ConnectionState } from '../../session/realtime';
import { useSignedIn } from '../../session/session';
import { useNow } from '../../time/use-now';
import { alarmSound } from '../alerts/alarm-sound';
import { compareAlerts, isActiveAlert, needsAlarm } from '../alerts/alert-lanes';
import { useRouter } from '../console-router';
import { useDirectory } from '../registry/directory';

export interface Notice {
  id: number;
  tone: 'danger' | 'warning' | 'info';
  text: string;
  link?: string;
}

export interface AlarmState {
  /** Critical emergencies nobody has acknowledged. */
  pending: number;
  /** The alarm should be sounding now (pending and not muted). */
  sounding: boolean;
  mutedUntil: number | null;
  audio: 'running' | 'blocked' | 'unsupported';
  beeps: number;
  mute: () => void;
  unmute: () => void;
  enableAudio: () => void;
}

interface ConsoleLiveValue {
  connection: ConnectionState;
  /** Open, acknowledged and dispatched alerts in scope, most urgent first. */
  alerts: AlertView[];
  alertById: (id: string) => AlertView | undefined;
  upsertAlert: (alert: AlertView) => void;
  /** The latest version of every order seen live or through an action in this session. */
  orders: Map<string, ServiceOrderView>;
  upsertOrder: (order: ServiceOrderView) => void;
  snapshots: number;
  notices: Notice[];
  dismissNotice: (id: number) => void;
  alarm: AlarmState;
}

const MUTE_MS = 2 * 60_000;
const ConsoleLiveContext = createContext<ConsoleLiveValue | null>(null);

function useAlarmAudio() {
  return useSyncExternalStore(
    (cb) => alarmSound.subscribe(cb),
    () => `${alarmSound.audioState}:${alarmSound.beeps}`,
  );
}

export function ConsoleLiveProvider({ children }: { children: ReactNode }) {
  const { session, logout } = useSignedIn();
  const { t } = useI18n();
  const { navigate } = useRouter();
  const directory = useDirectory();

  const [alertMap, setAlertMap] = useState(new Map<string, AlertView>());
  const [orders, setOrders] = useState(new Map<string, ServiceOrderView>());
  const [snapshots, setSnapshots] = useState(0);
  const [notices, setNotices] = useState<Notice[]>([]);
  const noticeSeq = useRef(0);
  const nameRef = useRef(directory.residentName);
  nameRef.current = directory.residentName;
  const tRef = useRef(t);
  tRef.current = t;

  const pushNotice = useCallback((notice: Omit<Notice, 'id'>) => {
    noticeSeq.current += 1;
    const id = noticeSeq.current;
    setNotices((prev) => [...prev.slice(-4), { ...notice, id }]);
    window.setTimeout(() => setNotices((prev) => prev.filter((n) => n.id !== id)), 12_000);
  }, []);

  const upsertAlert = useCallback((alert: AlertView) => {
    setAlertMap((prev) => {
      const current = prev.get(alert.id);
      // Out-of-order delivery: an older version never overwrites a resolved or newer one.
      if (current?.status === 'resolved' && alert.status !== 'resolved') return prev;
      const next = new Map(prev);
      if (isActiveAlert(alert)) next.set(alert.id, alert);
      else next.delete(alert.id);
      return next;
    });
  }, []);

  const upsertOrder = useCallback((order: ServiceOrderView) => {
    setOrders((prev) => {
      const current = prev.get(order.id);
      if (current && Date.parse(current.updatedAt) > Date.parse(order.updatedAt)) return prev;
      return new Map(prev).set(order.id, order);
    });
  }, []);

  const { state } = useRealtime<ConsoleServerToClientEvents, ConsoleClientToServerEvents>(
    CONSOLE_NAMESPACE,
    session.accessToken,
    logout,
    {
      'alerts:snapshot': (list) => {
        // CONTRACT §4: sent on every (re)connect; it replaces whatever we had.
        setAlertMap(new Map(list.filter(isActiveAlert).map((a) => [a.id, a])));
        setSnapshots((n) => n + 1);
      },
      'alert:raised': (alert) => {
        upsertAlert(alert);
        const name = alert.residentName ?? nameRef.current(alert.residentId);
        const text = `${tRef.current(`severity.${alert.severity}`)} · ${tRef.current(`alertKind.${alert.kind}`)} · ${name}`;
        if (alert.severity === 'critical' || alert.severity === 'high') {
          pushNotice({ tone: 'danger', text, link: `/alerts/${alert.id}` });
        }
        if (document.hidden && 'Notification' in window && Notification.permission === 'granted') {
          const notification = new Notification(tRef.current('notify.newAlert'), {
            body: text,
            tag: alert.id,
            requireInteraction: alert.severity === 'critical',
          });
          notification.onclick = () => {
            window.focus();
            navigate(`/alerts/${alert.id}`);
            notification.close();
          };
        }
      },
      'alert:updated': upsertAlert,
      'order:updated': upsertOrder,
      'order:unassigned': (order) => {
        upsertOrder(order);
        pushNotice({
          tone: 'warning',
          text: tRef.current('notify.orderUnassigned', {
            kind: tRef.current(`orderKind.${order.kind}`),
            name: nameRef.current(order.residentId),
          }),
          link: '/orders',
        });
      },
    },
  );

  // --- the alarm: repeats while a critical alert is open, until acknowledged or muted -----------
  const alerts = useMemo(() => [...alertMap.values()].sort(compareAlerts), [alertMap]);
  // An order nobody accepted is a new reason to sound, even for an alert muted before (its own key).
  const pendingIds = useMemo(
    () => alerts.filter(needsAlarm).map((a) => (a.orderStatus === 'unassigned' ? `${a.id}:unassigned` : a.id)),
    [alerts],
  );
  const [mute, setMute] = useState<{ until: number; ids: Set<string> } | null>(null);
  const now = useNow(1000);
  // A mute covers the alerts it was given; a new critical alert breaks through it.
  const muted = mute !== null && mute.until > now && pendingIds.every((id) => mute.ids.has(id));
  const sounding = pendingIds.length > 0 && !muted;
  useEffect(() => {
    if (sounding) alarmSound.start();
    else alarmSound.stop();
  }, [sounding]);
  useEffect(() => () => alarmSound.stop(), []);
  useAlarmAudio();
  useEffect(() => {
    const unlock = () => alarmSound.unlock();
    window.addEventListener('pointerdown', unlock);
    window.addEventListener('keydown', unlock);
    return () => {
      window.removeEventListener('pointerdown', unlock);
      window.removeEventListener('keydown', unlock);
    };
  }, []);
  useEffect(() => {
    const n = pendingIds.length;
    document.title = n > 0 ? `(${n}) ${t('app.console.title')}` : t('app.console.title');
  }, [pendingIds.length, t]);

  const alarm: AlarmState = {
    pending: pendingIds.length,
    sounding,
    mutedUntil: muted ? mute.until : null,
    audio: alarmSound.audioState,
    beeps: alarmSound.beeps,
    mute: () => setMute({ until: Date.now() + MUTE_MS, ids: new Set(pendingIds) }),
    unmute: () => setMute(null),
    enableAudio: () => alarmSound.unlock(),
  };

  const value: ConsoleLiveValue = {
    connection: state,
    alerts,
    alertById: (id) => alertMap.get(id),
    upsertAlert,
    orders,
    upsertOrder,
    snapshots,
    notices,
    dismissNotice: (id) => setNotices((prev) => prev.filter((n) => n.id !== id)),
    alarm,
  };
  return <ConsoleLiveContext.Provider value={value}>{children}</ConsoleLiveContext.Provider>;
}

export function useConsoleLive(): ConsoleLiveValue {
  const value = useContext(ConsoleLiveContext);
  if (!value) throw new Error('useConsoleLive outside ConsoleLiveProvider');
  return value;
}
