import { useEffect, useRef } from 'react';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

export interface Bar {
  name: string;
  value: number;
}

/** One bar chart (Apache ECharts, canvas), sized by its box and redrawn when its data changes. */
export function BarChartPanel({
  title,
  bars,
  color,
  testId,
}: {
  title: string;
  bars: Bar[];
  color: string;
  testId: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const chart = echarts.init(box.current, null, { renderer: 'canvas' });
    chart.setOption({
      animation: false,
      grid: { left: 48, right: 16, top: 16, bottom: 72 },
      tooltip: { trigger: 'axis' },
      xAxis: {
        type: 'category',
        data: bars.map((b) => b.name),
        axisLabel: { color: '#c9d1d9', interval: 0, rotate: bars.length > 5 ? 30 : 0 },
      },
      yAxis: {
        type: 'value',
        minInterval: 1,
        axisLabel: { color: '#c9d1d9' },
        splitLine: { lineStyle: { color: '#30363d' } },
      },
      series: [{ type: 'bar', data: bars.map((b) => b.value), itemStyle: { color }, barMaxWidth: 36 }],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [bars, color]);
  return (
    <section className="panel chart-panel" data-testid={testId} data-bars={bars.length}>
      <header className="panel-head">
        <h2>{title}</h2>
      </header>
      <div ref={box} className="chart-box" />
    </section>
  );
}
