import { useEffect, useMemo, useRef, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { useTimeFormat } from '../../time/time-format';
import type { VitalsPoint } from './alert-types';

const PAD = { left: 30, right: 8, top: 8, bottom: 18 };

/** The chart draws in real pixels (not a stretched viewBox) so axis text stays crisp at any size. */
function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(480);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(
      ([entry]) => entry && setWidth(Math.max(200, Math.round(entry.contentRect.width))),
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

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
  width,
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
  width: number;
}) {
  const fmt = useTimeFormat();
  const W = width;
  const H = Math.round(Math.min(200, Math.max(96, width * 0.2)));
  const x = (t: number) => PAD.left + ((t - from) / (to - from)) * (W - PAD.left - PAD.right);
  const y = (v: number) =>
    PAD.top + (1 - (Math.min(max, Math.max(min, v)) - min) / (max - min)) * (H - PAD.top - PAD.bottom);
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
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        {ticks.map((v) => (
          <g key={v}>
            <line className="chart-grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text className="chart-axis" x={PAD.left - 4} y={y(v) + 4} textAnchor="end">
              {v}
            </text>
          </g>
        ))}
        {[from, (from + to) / 2, to].map((t) => (
          <text
            key={t}
            className="chart-axis"
            x={x(t)}
            y={H - 4}
            textAnchor={t === from ? 'start' : t === to ? 'end' : 'middle'}
          >
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
            s.points.map((p) => (
              <circle key={`${s.label}${p.t}`} className={`chart-dot ${s.className}`} cx={x(p.t)} cy={y(p.v)} r={3} />
            ))
          ),
        )}
      </svg>
    </figure>
  );
}

/** Heart rate (mattress and wearable) and respiration over the last hour, with the alert time marked. */
export function VitalsChart({
  points,
  alertAt,
  minutes,
}: {
  points: VitalsPoint[];
  alertAt: string | null;
  minutes: number;
}) {
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
  const { ref, width } = useWidth();
  const empty = model.hrBed.length + model.hrWear.length + model.rr.length === 0;
  return (
    <div className="chart" data-testid={empty ? 'vitals-empty' : 'vitals-chart'} ref={ref}>
      {empty ? (
        <p className="muted">{t('vitals.none', { minutes })}</p>
      ) : (
        <>
          <Lane
            width={width}
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
            width={width}
            testId="chart-respiration"
            title={t('vitals.respiration')}
            unit={t('vitals.perMinute')}
            from={model.from}
            to={model.to}
            min={0}
            max={40}
            marker={marker}
            series={[{ label: t('vitals.source.mattress'), className: 'line-rr', points: model.rr }].filter(
              (s) => s.points.length > 0,
            )}
          />
        </>
      )}
    </div>
  );
}
