import { useEffect, useState } from 'react';
import type { CarePlanView } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import { CarePlanForm } from './care-plan-form';
import { CarePlanWeek } from './care-plan-week';
import { useWeekdayName } from '../../time/weekdays';

type Tab = 'list' | 'week';

/** Care plans (服务计划): recurring 六助 services of residents in scope, and the week they make. */
export function CarePlansPage() {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const weekdayName = useWeekdayName();
  const [tab, setTab] = useState<Tab>('list');
  const [plans, setPlans] = useState<CarePlanView[]>([]);
  const [editing, setEditing] = useState<CarePlanView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const [formKey, setFormKey] = useState(0);
  const refresh = () => setGeneration((g) => g + 1);

  useEffect(() => {
    api
      .get<CarePlanView[]>('/care-plans')
      .then((list) => setPlans(Array.isArray(list) ? list : []))
      .catch((e: unknown) => setError(errorText(e, t)));
  }, [api, generation, t]);

  const act = (call: Promise<unknown>) => {
    setError(null);
    call.then(refresh).catch((e: unknown) => setError(errorText(e, t)));
  };
  const setStatus = (plan: CarePlanView, status: 'active' | 'paused') =>
    act(api.patch(`/care-plans/${plan.id}`, { status }));
  const end = (plan: CarePlanView) => {
    const kind = t(`orderKind.${plan.kind}`);
    if (!window.confirm(t('carePlans.endConfirm', { name: plan.residentName, kind }))) return;
    if (editing?.id === plan.id) setEditing(null);
    act(api.post(`/care-plans/${plan.id}/end`));
  };

  return (
    <div className="split split-wide-left">
      <section className="panel list-panel" data-testid="care-plans-page">
        <header className="panel-head">
          <h2>{t('carePlans.title')}</h2>
          <div className="tabs" role="tablist">
            {(['list', 'week'] as const).map((name) => (
              <button
                key={name}
                type="button"
                role="tab"
                aria-selected={tab === name}
                className={`tab ${tab === name ? 'is-on' : ''}`}
                onClick={() => setTab(name)}
                data-testid={`care-plans-tab-${name}`}
              >
                {t(name === 'list' ? 'carePlans.tabList' : 'carePlans.tabWeek')}
              </button>
            ))}
          </div>
          {tab === 'list' && <span className="muted">{t('common.total', { n: plans.length })}</span>}
        </header>
        <ErrorLine error={error} />
        {tab === 'week' ? (
          <CarePlanWeek generation={generation} />
        ) : (
          <div className="table-wrap">
            <table className="grid">
              <thead>
                <tr>
                  <th>{t('carePlans.resident')}</th>
                  <th>{t('carePlans.kind')}</th>
                  <th>{t('carePlans.weekdays')}</th>
                  <th>{t('carePlans.time')}</th>
                  <th>{t('carePlans.notes')}</th>
                  <th>{t('carePlans.status')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {plans.length === 0 && (
                  <tr>
                    <td colSpan={7} className="muted">
                      {t('carePlans.empty')}
                    </td>
                  </tr>
                )}
                {plans.map((plan) => (
                  <tr
                    key={plan.id}
                    className={editing?.id === plan.id ? 'is-selected' : ''}
                    data-testid="care-plan-row"
                    data-status={plan.status}
                  >
                    <td className="strong">{plan.residentName}</td>
                    <td>{t(`orderKind.${plan.kind}`)}</td>
                    <td>{plan.weekdays.map(weekdayName).join('、')}</td>
                    <td className="mono">{plan.timeOfDay}</td>
                    <td className="ellipsis">{plan.notes ?? '—'}</td>
                    <td>
                      <span
                        className={`tag ${plan.status === 'active' ? 'tag-ok' : plan.status === 'paused' ? 'tag-warn' : ''}`}
                      >
                        {t(`carePlans.status.${plan.status}`)}
                      </span>
                    </td>
                    <td className="row-actions">
                      {plan.status !== 'ended' && (
                        <>
                          <button type="button" className="btn btn-sm" onClick={() => setEditing(plan)}>
                            {t('carePlans.edit')}
                          </button>
                          <button
                            type="button"
                            className="btn btn-sm"
                            onClick={() => setStatus(plan, plan.status === 'active' ? 'paused' : 'active')}
                            data-testid={plan.status === 'active' ? 'care-plan-pause' : 'care-plan-resume'}
                          >
                            {plan.status === 'active' ? t('carePlans.pause') : t('carePlans.resume')}
                          </button>
                          <button
                            type="button"
                            className="btn btn-sm"
                            onClick={() => end(plan)}
                            data-testid="care-plan-end"
                          >
                            {t('carePlans.end')}
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="panel detail">
        <header className="panel-head">
          <h2>{editing ? t('carePlans.editTitle', { name: editing.residentName }) : t('carePlans.create')}</h2>
        </header>
        <CarePlanForm
          key={editing?.id ?? `new-${formKey}`}
          plan={editing}
          onSaved={() => {
            setEditing(null);
            setFormKey((k) => k + 1);
            refresh();
          }}
          onCancel={() => setEditing(null)}
        />
      </section>
    </div>
  );
}
