import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import {
  CAREGIVER_NAMESPACE,
  type CaregiverClientToServerEvents,
  type CaregiverServerToClientEvents,
  isTaskWithdrawn,
  type ResolveOutcome,
  type TaskProgressStatus,
} from '@anxin/contract';
import { unwrapAck, useRealtime, type ConnectionState } from '../../session/realtime';
import { useSignedIn } from '../../session/session';
import { ACTIVE_TASK_STATUSES, CLOSED_TASK_STATUSES, type CaregiverTask } from './task-types';

const HISTORY_LIMIT = 50;
const historyKey = (userId: string) => `anxin.caregiver.history.${userId}`;

/**
 * What the history keeps at rest in the browser (issue 12 item 14): enough for the list, never the
 * resident's address, phone, contacts or responder notes, nor anyone's notes. Sign-out clears it all.
 */
function forHistory(task: CaregiverTask): CaregiverTask {
  return {
    ...task,
    notes: null,
    timeline: [],
    resident: task.resident && {
      name: task.resident.name,
      address: null,
      phone: null,
      emergencyContacts: [],
    },
  };
}

function loadHistory(userId: string): CaregiverTask[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(historyKey(userId)) ?? '[]') as CaregiverTask[];
    return Array.isArray(parsed) ? parsed.map(forHistory) : [];
  } catch {
    return [];
  }
}

interface TasksValue {
  connection: ConnectionState;
  synced: boolean;
  offers: CaregiverTask[];
  current: CaregiverTask[];
  history: CaregiverTask[];
  accept: (id: string) => Promise<void>;
  decline: (id: string) => Promise<void>;
  progress: (id: string, status: TaskProgressStatus, note?: string, outcome?: ResolveOutcome) => Promise<void>;
}

const TasksContext = createContext<TasksValue | null>(null);

/**
 * The caregiver's tasks, live: `tasks:snapshot` on every (re)connect replaces the list (a flaky
 * connection comes back to the truth), `task:offered`/`task:updated` update it. Actions go over the
 * socket with an acknowledgement, or over HTTP while the socket is down (CONTRACT §4 equivalents).
 */
export function TasksProvider({ children }: { children: ReactNode }) {
  const { session, api, logout } = useSignedIn();
  const me = session.user.id;

  const [tasks, setTasks] = useState(new Map<string, CaregiverTask>());
  const [history, setHistory] = useState<CaregiverTask[]>(() => loadHistory(me));
  const [synced, setSynced] = useState(false);

  const remember = useCallback(
    (task: CaregiverTask) => {
      if (!(CLOSED_TASK_STATUSES as readonly string[]).includes(task.status) || task.assigneeId !== me) return;
      setHistory((prev) => {
        const next = [forHistory(task), ...prev.filter((t) => t.id !== task.id)].slice(0, HISTORY_LIMIT);
        localStorage.setItem(historyKey(me), JSON.stringify(next));
        return next;
      });
    },
    [me],
  );

  const upsert = useCallback(
    (task: CaregiverTask) => {
      setTasks((prev) => {
        const current = prev.get(task.id);
        if (current && Date.parse(current.updatedAt) > Date.parse(task.updatedAt)) return prev;
        // Keep the resident details when an update arrives without them.
        const merged = { ...task, resident: task.resident ?? current?.resident };
        return new Map(prev).set(task.id, merged);
      });
      remember(task);
    },
    [remember],
  );

  const forget = useCallback(
    (id: string) =>
      setTasks((prev) => {
        if (!prev.has(id)) return prev;
        const next = new Map(prev);
        next.delete(id);
        return next;
      }),
    [],
  );

  const { socket, state } = useRealtime<CaregiverServerToClientEvents, CaregiverClientToServerEvents>(
    CAREGIVER_NAMESPACE,
    session.accessToken,
    logout,
    {
      'tasks:snapshot': (list) => {
        // CONTRACT §4: on every (re)connect; it replaces what we had.
        setTasks(new Map((list as CaregiverTask[]).map((t) => [t.id, t])));
        setSynced(true);
      },
      'task:offered': (t) => upsert(t),
      // A task lost to someone else (or timed out) comes back as a bare notice: drop it with its resident details.
      'task:updated': (t) => (isTaskWithdrawn(t) ? forget(t.id) : upsert(t)),
    },
  );

  // While the socket is down (or slow to come up), the HTTP list keeps the screen useful.
  useEffect(() => {
    if (state === 'online') return;
    let live = true;
    const timer = window.setTimeout(
      () =>
        void api
          .get<CaregiverTask[]>('/tasks/mine')
          .then((list) => {
            if (!live || !Array.isArray(list)) return;
            setTasks(new Map(list.map((t) => [t.id, t])));
            list.forEach(remember);
            setSynced(true);
          })
          .catch(() => undefined),
      state === 'connecting' ? 4000 : 0,
    );
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [api, state, remember]);

  const act = useCallback(
    async (viaSocket: () => Promise<unknown>, viaHttp: () => Promise<CaregiverTask>): Promise<void> => {
      let result: CaregiverTask;
      if (socket?.connected) {
        result = unwrapAck(await viaSocket()) as CaregiverTask;
      } else {
        result = await viaHttp();
      }
      upsert(result);
    },
    [socket, upsert],
  );

  const value = useMemo<TasksValue>(() => {
    const all = [...tasks.values()];
    const byCreated = (a: CaregiverTask, b: CaregiverTask) => Date.parse(a.createdAt) - Date.parse(b.createdAt);
    return {
      connection: state,
      synced,
      // A broadcast offer waits on several caregivers; one taken by someone else comes back withdrawn (task:updated).
      offers: all
        .filter((t) => t.status === 'offered' && (t.offeredToAll ?? [t.offeredTo]).includes(me))
        .sort(byCreated),
      current: all
        .filter(
          (t) =>
            (ACTIVE_TASK_STATUSES as readonly string[]).includes(t.status) &&
            (t.assigneeId === me || t.assigneeId === null),
        )
        .sort(byCreated),
      history,
      accept: (id) =>
        act(
          () => socket!.timeout(10_000).emitWithAck('task:accept', { id }),
          () => api.post<CaregiverTask>(`/orders/${id}/accept`),
        ),
      decline: (id) =>
        act(
          () => socket!.timeout(10_000).emitWithAck('task:decline', { id }),
          () => api.post<CaregiverTask>(`/orders/${id}/decline`),
        ).then(() => forget(id)),
      progress: (id, status, note, outcome) => {
        const fields = { status, ...(note ? { note } : {}), ...(outcome ? { outcome } : {}) };
        return act(
          () => socket!.timeout(10_000).emitWithAck('task:progress', { id, ...fields }),
          () => api.post<CaregiverTask>(`/orders/${id}/progress`, fields),
        );
      },
    };
  }, [tasks, state, synced, history, me, act, socket, api, forget]);

  return <TasksContext.Provider value={value}>{children}</TasksContext.Provider>;
}

export function useTasks(): TasksValue {
  const value = useContext(TasksContext);
  if (!value) throw new Error('useTasks outside TasksProvider');
  return value;
}
