import { useEffect, useState, type FormEvent } from 'react';
import {
  ORDER_KINDS,
  RESOLVE_OUTCOMES,
  type AlertView,
  type OrderKind,
  type ResolveOutcome,
  type ServiceOrderView,
} from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { errorText } from '../../session/api-errors';
import { useSignedIn } from '../../session/session';
import { Dialog, ErrorLine } from '../../ui/dialog';
import type { DispatchCandidate } from './alert-types';

function formatDistance(m: number | null): string {
  if (m === null) return '—';
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
}

/** Dispatch: choose the kind of service, see who is eligible and how busy they are, send. */
export function DispatchDialog({
  alert,
  onClose,
  onDispatched,
}: {
  alert: AlertView;
  onClose: () => void;
  onDispatched: (order: ServiceOrderView) => void;
}) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const [kind, setKind] = useState<OrderKind>('emergency');
  const [candidates, setCandidates] = useState<DispatchCandidate[] | null>(null);
  const [caregiverId, setCaregiverId] = useState<string>('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setCandidates(null);
    setCaregiverId('');
    api
      .get<DispatchCandidate[]>(`/alerts/${alert.id}/candidates`, { kind })
      .then((list) => live && setCandidates(Array.isArray(list) ? list : []))
      .catch((e: unknown) => {
        if (!live) return;
        setCandidates([]);
        setError(errorText(e, t));
      });
    return () => {
      live = false;
    };
  }, [api, alert.id, kind, t]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body: { kind: OrderKind; note?: string; caregiverId?: string } = { kind };
    if (note.trim()) body.note = note.trim();
    if (caregiverId) body.caregiverId = caregiverId;
    api
      .post<ServiceOrderView>(`/alerts/${alert.id}/dispatch`, body)
      .then((order) => {
        onDispatched(order);
        onClose();
      })
      .catch((e: unknown) => setError(errorText(e, t)))
      .finally(() => setBusy(false));
  };

  return (
    <Dialog title={t('dispatch.title')} onClose={onClose} testId="dispatch-dialog" wide>
      <form onSubmit={submit} className="stack">
        <label className="field">
          <span>{t('dispatch.kind')}</span>
          <select value={kind} onChange={(e) => setKind(e.target.value as OrderKind)} data-testid="dispatch-kind">
            {ORDER_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`orderKind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="candidates" data-testid="dispatch-candidates">
          <legend>{t('dispatch.candidates')}</legend>
          <label className="candidate">
            <input
              type="radio"
              name="caregiver"
              value=""
              checked={caregiverId === ''}
              onChange={() => setCaregiverId('')}
            />
            <span className="candidate-name">{t('dispatch.auto')}</span>
            <span className="muted">{t('dispatch.autoHint')}</span>
          </label>
          {candidates === null && <p className="muted">{t('common.loading')}</p>}
          {candidates?.length === 0 && <p className="muted">{t('dispatch.noCandidates')}</p>}
          {candidates?.map((c, i) => (
            <label key={c.userId} className="candidate" data-testid="dispatch-candidate" data-user-id={c.userId}>
              <input
                type="radio"
                name="caregiver"
                value={c.userId}
                checked={caregiverId === c.userId}
                onChange={() => setCaregiverId(c.userId)}
              />
              <span className="candidate-name">
                {i === 0 && <span className="tag tag-ok">{t('dispatch.best')}</span>} {c.displayName ?? c.username}
                <span className="muted"> @{c.username}</span>
              </span>
              <span className="candidate-load">{t('dispatch.load', { n: c.load })}</span>
              <span className="candidate-dist">{formatDistance(c.distanceM)}</span>
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>{t('dispatch.note')}</span>
          <textarea
            rows={2}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            data-testid="dispatch-note"
            maxLength={500}
          />
        </label>
        <ErrorLine error={error} />
        <div className="actions-row">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="dispatch-submit">
            {t('dispatch.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Resolve: an outcome from the closed list and a note for the record. */
export function ResolveDialog({
  alert,
  onClose,
  onResolved,
}: {
  alert: AlertView;
  onClose: () => void;
  onResolved: (alert: AlertView) => void;
}) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const [outcome, setOutcome] = useState<ResolveOutcome | ''>('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!outcome) {
      setError(t('resolve.pickOutcome'));
      return;
    }
    setBusy(true);
    setError(null);
    api
      .post<AlertView>(`/alerts/${alert.id}/resolve`, note.trim() ? { outcome, note: note.trim() } : { outcome })
      .then((resolved) => {
        onResolved(resolved);
        onClose();
      })
      .catch((e: unknown) => setError(errorText(e, t)))
      .finally(() => setBusy(false));
  };

  return (
    <Dialog title={t('resolve.title')} onClose={onClose} testId="resolve-dialog">
      <form onSubmit={submit} className="stack">
        <fieldset className="outcomes">
          <legend>{t('resolve.outcome')}</legend>
          {RESOLVE_OUTCOMES.map((o) => (
            <label key={o} className="radio-line">
              <input
                type="radio"
                name="outcome"
                value={o}
                checked={outcome === o}
                onChange={() => setOutcome(o)}
                data-testid={`resolve-outcome-${o}`}
              />
              {t(`outcome.${o}`)}
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>{t('resolve.note')}</span>
          <textarea
            rows={3}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            data-testid="resolve-note"
            maxLength={1000}
          />
        </label>
        <ErrorLine error={error} />
        <div className="actions-row">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="resolve-submit">
            {t('resolve.submit')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
