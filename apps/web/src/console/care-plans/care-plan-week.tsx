import { useEffect, useMemo, useState } from 'react';
import { type CarePlanOccurrence, localToday } from '@anxin/contract';
import { useI18n } from '../../i18n/i18n';
import { useSignedIn } from '../../session/session';
import { useTimeFormat } from '../../time/time-format';
import { ErrorLine } from '../../ui/dialog';
import { errorText } from '../../session/api-errors';
import { useWeekdayName } from '../../time/weekdays';
import { sameDate, weekOf } from './weekdays';

/** Monday to Sunday columns of one week in the platform's zone, each day's services by time. */
export function CarePlanWeek({ generation }: { generation: number }) {
  const { t, locale } = useI18n();
  const { api } = useSignedIn();
  const fmt = useTimeFormat();
  const weekdayName = useWeekdayName();
  const [offset, setOffset] = useState(0);
  const [occurrences, setOccurrences] = useState<CarePlanOccurrence[]>([]);
  const [error, setError] = useState<string | null>(null);
  const week = useMemo(() => weekOf(offset, fmt.timeZone), [offset, fmt.timeZone]);
  const format = useMemo(() => {
    const intl = locale === 'zh-CN' ? 'zh-CN' : 'en-GB';
    return {
      day: new Intl.DateTimeFormat(intl, { timeZone: fmt.timeZone, month: '2-digit', day: '2-digit' }),
      clock: new Intl.DateTimeFormat(intl, {
        timeZone: fmt.timeZone,
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
    };
  }, [locale, fmt.timeZone]);

  useEffect(() => {
    let live = true;
    api
      .get<CarePlanOccurrence[]>(`/care-plans/schedule`, { from: week.from.toISOString(), to: week.to.toISOString() })
      .then((list) => {
        if (!live) return;
        setOccurrences(list);
        setError(null);
      })
      .catch((e: unknown) => live && setError(errorText(e, t)));
    return () => {
      live = false;
    };
  }, [api, week, generation, t]);

  const today = localToday(fmt.timeZone);
  const status = (o: CarePlanOccurrence) => {
    if (o.orderStatus) return <span className="tag">{t(`orderStatus.${o.orderStatus}`)}</span>;
    if (o.planStatus !== 'active') return <span className="tag tag-warn">{t(`carePlans.status.${o.planStatus}`)}</span>;
    return null;
  };

  return (
    <div className="week-view" data-testid="care-plan-week">
      <div className="toolbar week-nav">
        <button type="button" className="btn btn-sm" onClick={() => setOffset((o) => o - 1)} data-testid="week-prev">
          {t('carePlans.prevWeek')}
        </button>
        <button type="button" className="btn btn-sm" onClick={() => setOffset(0)} disabled={offset === 0}>
          {t('carePlans.thisWeek')}
        </button>
        <button type="button" className="btn btn-sm" onClick={() => setOffset((o) => o + 1)} data-testid="week-next">
          {t('carePlans.nextWeek')}
        </button>
        <span className="muted" data-testid="week-range">
          {fmt.date(week.from)} – {fmt.date(week.days[6]!.start)}
        </span>
      </div>
      <ErrorLine error={error} />
      <div className="week-grid">
        {week.days.map((day) => {
          const entries = occurrences.filter((o) => sameDate(localToday(fmt.timeZone, new Date(o.at)), day.date));
          return (
            <section
              key={day.weekday}
              className={`week-day ${sameDate(day.date, today) ? 'is-today' : ''}`}
              data-testid={`week-day-${day.weekday}`}
            >
              <header className="week-day-head">
                <span className="strong">{weekdayName(day.weekday)}</span>
                <span className="muted">{format.day.format(day.start)}</span>
              </header>
              {entries.length === 0 && <p className="muted week-empty">{t('common.none')}</p>}
              {entries.map((o) => (
                <div
                  key={`${o.planId}-${o.at}`}
                  className={`week-entry ${o.planStatus !== 'active' && !o.orderStatus ? 'is-off' : ''}`}
                  data-testid="week-entry"
                >
                  <span className="mono strong">{format.clock.format(new Date(o.at))}</span>
                  <span>{o.residentName}</span>
                  <span className="muted">{t(`orderKind.${o.kind}`)}</span>
                  {status(o)}
                </div>
              ))}
            </section>
          );
        })}
      </div>
    </div>
  );
}
