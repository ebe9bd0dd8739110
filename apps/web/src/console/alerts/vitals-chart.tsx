import { useMemo } from 'react';
import { useI18n } from '../../i18n/i18n';
import { useTimeFormat } from '../../time/time-format';
import type { VitalsPoint } from './alert-types';

const W = 640;
const H = 120;
const PAD = { left: 34, right: 8, top: 8, bottom: 18 };

interface Series {
  label: string;
  className: string;
  points: { t: number; v: number }[];
}

function Lane({
  title,
  unit,
  series,
  from,
  to,
  min,
  max,
  marker,
  testId,
}: {
  title: string;
  unit: string;
  series: Series[];
  from: number;
  to: number;
  min: number;
  max: number;
  marker: number | null;
  testId: string;
}) {
  const fmt = useTimeFormat();
  const x = (t: number) => PAD.left + ((t - from) / (to - from)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (Math.min(max, Math.max(min, v)) - min) / (max - min)) * (H - PAD.top - PAD.bottom);
  const ticks = [min, Math.round((min + max) / 2), max];
  const latest = series.flatMap((s) => s.points.slice(-1).map((p) => ({ ...p, s })));
  return (
    <figure className="chart-lane" data-testid={testId}>
      <figcaption>
        <span>{title}</span>
        {latest.map((p) => (
          <span key={p.s.label} className={`chart-latest ${p.s.className}`}>
            {p.s.label} <b>{Math.round(p.v)}</b> {unit}
          </span>
        ))}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} preserveAspectRatio="none">
        {ticks.map((v) => (
          <g key={v}>
            <line className="chart-grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text className="chart-axis" x={PAD.left - 4} y={y(v) + 4} textAnchor="end">
              {v}
            </text>
          </g>
        ))}
        {[from, (from + to) / 2, to].map((t) => (
          <text key={t} className="chart-axis" x={x(t)} y={H - 4} textAnchor={t === from ? 'start' : t === to ? 'end' : 'middle'}>
            {fmt.time(new Date(t)).slice(0, 5)}
          </text>
        ))}
        {marker !== null && marker >= from && marker <= to && (
          <line className="chart-marker" x1={x(marker)} x2={x(marker)} y1={PAD.top} y2={H - PAD.bottom} />
        )}
        {series.map((s) =>
          s.points.length > 1 ? (
            <polyline
              key={s.label}
              className={`chart-line ${s.className}`}
              points={s.points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')}
            />
          ) : (
            s.points.map((p) => <circle key={`${s.label}${p.t}`} className={`chart-dot ${s.className}`} cx={x(p.t)} cy={y(p.v)} r={3} />)
          ),
        )}
      </svg>
    </figure>
  );
}

/** Heart rate (mattress and wearable) and respiration over the last hour, with the alert time marked. */
export function VitalsChart({ points, alertAt, minutes }: { points: VitalsPoint[]; alertAt: string | null; minutes: number }) {
  const { t } = useI18n();
  const model = useMemo(() => {
    const to = Date.now();
    const from = to - minutes * 60_000;
    const sorted = points
      .map((p) => ({ ...p, t: Date.parse(p.at) }))
      .filter((p) => Number.isFinite(p.t) && p.t >= from)
      .sort((a, b) => a.t - b.t);
    const pick = (filter: (p: (typeof sorted)[number]) => boolean, key: 'heartRate' | 'respirationRate') =>
      sorted.filter(filter).flatMap((p) => (typeof p[key] === 'number' ? [{ t: p.t, v: p[key] }] : []));
    const isWearable = (p: VitalsPoint) => p.source === 'wearable';
    return {
      from,
      to,
      hrBed: pick((p) => !isWearable(p), 'heartRate'),
      hrWear: pick(isWearable, 'heartRate'),
      rr: pick((p) => !isWearable(p), 'respirationRate'),
    };
  }, [points, minutes]);
  const marker = alertAt ? Date.parse(alertAt) : null;
  if (model.hrBed.length + model.hrWear.length + model.rr.length === 0) {
    return (
      <p className="muted" data-testid="vitals-empty">
        {t('vitals.none', { minutes })}
      </p>
    );
  }
  return (
    <div className="chart" data-testid="vitals-chart">
      <Lane
        testId="chart-heart-rate"
        title={t('vitals.heartRate')}
        unit={t('vitals.perMinute')}
        from={model.from}
        to={model.to}
        min={30}
        max={160}
        marker={marker}
        series={[
          { label: t('vitals.source.mattress'), className: 'line-hr', points: model.hrBed },
          { label: t('vitals.source.wearable'), className: 'line-wear', points: model.hrWear },
        ].filter((s) => s.points.length > 0)}
      />
      <Lane
        testId="chart-respiration"
        title={t('vitals.respiration')}
        unit={t('vitals.perMinute')}
        from={model.from}
        to={model.to}
        min={0}
        max={40}
        marker={marker}
        series={[{ label: t('vitals.source.mattress'), className: 'line-rr', points: model.rr }].filter((s) => s.points.length > 0)}
      />
    </div>
  );
}
