import { useState } from 'react';
import { RESOLVE_OUTCOMES, type ResolveOutcome, type TaskProgressStatus } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { errorText } from '../../session/api-errors';
import { formatElapsed, useTimeFormat } from '../../time/time-format';
import { useNow } from '../../time/use-now';
import { mapLink } from './map-link';
import type { CaregiverTask } from './task-types';
import { useTasks } from './use-tasks';

function useAction() {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    action()
      .catch((e: unknown) => setError(errorText(e, t)))
      .finally(() => setBusy(false));
  };
  return { busy, error, run };
}

/** Opens the phone's map app at the home (issue 16). */
function MapLink({ resident }: { resident: NonNullable<CaregiverTask['resident']> }) {
  const { t } = useI18n();
  const href = mapLink(resident);
  if (!href) return null;
  return (
    <a className="map-link" href={href} data-testid="task-map-link">
      {t('task.openMap')}
    </a>
  );
}

/** An offer waiting on this caregiver: what, for whom, where, and how long is left to answer. */
export function OfferCard({ task }: { task: CaregiverTask }) {
  const { t } = useI18n();
  const now = useNow(1000);
  const { accept, decline } = useTasks();
  const { busy, error, run } = useAction();
  const left = task.offerExpiresAt ? Date.parse(task.offerExpiresAt) - now : null;
  const expired = left !== null && left <= 0;
  const urgent = left !== null && left < 30_000;
  return (
    <article
      className={`task-card offer ${task.kind === 'emergency' ? 'is-emergency' : ''}`}
      data-testid="offer-card"
      data-order-id={task.id}
    >
      <header className="task-head">
        <span className={`kind-pill kind-${task.kind}`}>{t(`orderKind.${task.kind}`)}</span>
        {left !== null && (
          <span
            className={`countdown ${urgent ? 'is-urgent' : ''}`}
            data-testid="offer-countdown"
            role="timer"
            aria-label={t('task.timeLeft')}
          >
            {expired ? t('task.expired') : formatElapsed(left)}
          </span>
        )}
      </header>
      <h2 className="task-resident">{task.resident?.name ?? t('task.resident')}</h2>
      {task.resident?.address && <p className="task-address">{task.resident.address}</p>}
      {task.resident && <MapLink resident={task.resident} />}
      {task.notes && <p className="task-notes">{task.notes}</p>}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="task-buttons two">
        <button
          type="button"
          className="big-btn big-btn-secondary"
          disabled={busy || expired}
          onClick={() => run(() => decline(task.id))}
          data-testid="offer-decline"
        >
          {t('task.decline')}
        </button>
        <button
          type="button"
          className="big-btn big-btn-primary"
          disabled={busy || expired}
          onClick={() => run(() => accept(task.id))}
          data-testid="offer-accept"
        >
          {t('task.accept')}
        </button>
      </div>
    </article>
  );
}

/** The picker's "not sure: the operator decides" choice; completion then carries no outcome. */
const FOR_OPERATOR = 'operator';

const NEXT_STEP: Partial<Record<CaregiverTask['status'], TaskProgressStatus>> = {
  accepted: 'en_route',
  en_route: 'on_site',
  on_site: 'completed',
};

/** The task being worked: address, contacts, responder notes, and the next progress step. */
export function CurrentTaskCard({ task }: { task: CaregiverTask }) {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  const { progress } = useTasks();
  const { busy, error, run } = useAction();
  const [note, setNote] = useState('');
  // CONTRACT §3 (v1.1): the caregiver says what it was, or leaves it to the operator explicitly.
  const [outcome, setOutcome] = useState<ResolveOutcome | typeof FOR_OPERATOR | ''>('');
  const next = NEXT_STEP[task.status];
  const needsOutcome = next === 'completed' && task.alertId !== null && outcome === '';
  const resident = task.resident;
  const steps: CaregiverTask['status'][] = ['accepted', 'en_route', 'on_site', 'completed'];
  const reached = steps.indexOf(task.status);

  return (
    <article
      className={`task-card current ${task.kind === 'emergency' ? 'is-emergency' : ''}`}
      data-testid="current-task"
      data-order-id={task.id}
      data-status={task.status}
    >
      <header className="task-head">
        <span className={`kind-pill kind-${task.kind}`}>{t(`orderKind.${task.kind}`)}</span>
        <span className="task-status" data-testid="current-task-status">
          {t(`orderStatus.${task.status}`)}
        </span>
      </header>
      <ol className="stepper" aria-label={t('task.progress')}>
        {steps.map((s, i) => (
          <li key={s} className={i <= reached ? 'is-done' : ''}>
            {t(`orderStatus.${s}`)}
          </li>
        ))}
      </ol>
      <h2 className="task-resident">{resident?.name ?? t('task.resident')}</h2>
      {resident?.address && (
        <p className="task-address" data-testid="task-address">
          {resident.address}
        </p>
      )}
      {resident && <MapLink resident={resident} />}
      {resident?.phone && (
        <a className="call-btn" href={`tel:${resident.phone}`}>
          <span>{t('task.callResident')}</span>
          <b>{resident.phone}</b>
        </a>
      )}
      {resident?.responderNotes && (
        <div className="responder-notes" data-testid="task-responder-notes">
          <span className="notes-label">{t('resident.responderNotes')}</span>
          <p>{resident.responderNotes}</p>
        </div>
      )}
      {task.notes && <p className="task-notes">{task.notes}</p>}
      {(resident?.emergencyContacts ?? []).length > 0 && (
        <section>
          <h3 className="section-label">{t('resident.contacts')}</h3>
          <ul className="contact-buttons" data-testid="task-contacts">
            {resident!.emergencyContacts.map((c, i) => (
              <li key={`${c.phone}${i}`}>
                <a className="call-btn call-btn-light" href={`tel:${c.phone}`}>
                  <span>
                    {c.name}
                    {c.relation ? ` · ${c.relation}` : ''}
                  </span>
                  <b>{c.phone}</b>
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {next === 'completed' && (
        <label className="field">
          <span>{t('task.completionNote')}</span>
          <textarea
            rows={3}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            data-testid="task-note"
            maxLength={1000}
          />
        </label>
      )}
      {next === 'completed' && task.alertId !== null && (
        <label className="field">
          <span>{t('task.outcome')}</span>
          <select
            value={outcome}
            onChange={(e) => setOutcome(e.target.value as typeof outcome)}
            data-testid="task-outcome"
            required
          >
            <option value="">{t('task.outcomeChoose')}</option>
            {RESOLVE_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {t(`outcome.${o}`)}
              </option>
            ))}
            <option value={FOR_OPERATOR}>{t('task.outcomeOperator')}</option>
          </select>
        </label>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {next && (
        <button
          type="button"
          className={`big-btn ${next === 'completed' ? 'big-btn-done' : 'big-btn-primary'}`}
          disabled={busy || needsOutcome}
          data-testid={`progress-${next}`}
          onClick={() =>
            run(() =>
              progress(
                task.id,
                next,
                note.trim() || undefined,
                next === 'completed' && outcome !== FOR_OPERATOR && outcome !== '' ? outcome : undefined,
              ),
            )
          }
        >
          {t(`task.step.${next}`)}
        </button>
      )}
      <p className="muted small">{t('task.createdAt', { time: fmt.dateTime(task.createdAt) })}</p>
    </article>
  );
}

export function HistoryList({ tasks }: { tasks: CaregiverTask[] }) {
  const { t } = useI18n();
  const fmt = useTimeFormat();
  if (tasks.length === 0) return <p className="empty-line">{t('task.noHistory')}</p>;
  return (
    <ul className="history" data-testid="task-history">
      {tasks.map((task) => (
        <li key={task.id} data-testid="history-item" data-status={task.status}>
          <div>
            <b>{task.resident?.name ?? t('task.resident')}</b>
            <span className="muted"> · {t(`orderKind.${task.kind}`)}</span>
          </div>
          <div className="history-meta">
            <span className={`status-text status-${task.status}`}>{t(`orderStatus.${task.status}`)}</span>
            <span className="muted">{fmt.dateTime(task.updatedAt)}</span>
          </div>
        </li>
      ))}
    </ul>
  );
}
