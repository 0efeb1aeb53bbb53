// The last hours on an echarts chart: calls offered, answered and abandoned, and the two rates.
import { t } from '../i18n.js';
import { hourLabel } from './format.js';

export function createCharts(el) {
  let chart = null;
  let last = null;

  function ensure() {
    if (chart || typeof window.echarts === 'undefined') return chart;
    chart = window.echarts.init(el, null, { renderer: 'canvas' });
    window.addEventListener('resize', () => chart?.resize());
    return chart;
  }

  function draw(history) {
    last = history;
    const c = ensure();
    document.getElementById('chart-title').textContent = t('wb.chart', { n: history.length });
    if (!c) return;
    const tv = document.body.classList.contains('tv');
    const ink = tv ? '#e8eef5' : '#1d2633';
    const rate = (v) => (v === null ? null : Math.round(v * 1000) / 10);
    c.setOption({
      animation: false,
      textStyle: { color: ink, fontSize: tv ? 16 : 12 },
      legend: { top: 0, textStyle: { color: ink } },
      tooltip: { trigger: 'axis' },
      grid: { left: 40, right: 44, top: 30, bottom: 24 },
      xAxis: { type: 'category', data: history.map((h) => hourLabel(h.hour)), axisLabel: { color: ink } },
      yAxis: [
        { type: 'value', minInterval: 1, axisLabel: { color: ink } },
        { type: 'value', min: 0, max: 100, axisLabel: { color: ink, formatter: '{value}%' }, splitLine: { show: false } },
      ],
      series: [
        { name: t('wb.offered'), type: 'bar', data: history.map((h) => h.offered), itemStyle: { color: '#7fa7d9' } },
        { name: t('wb.answered'), type: 'bar', data: history.map((h) => h.answered), itemStyle: { color: '#1e7f4f' } },
        { name: t('wb.abandoned'), type: 'bar', data: history.map((h) => h.abandoned), itemStyle: { color: '#c62828' } },
        { name: t('wb.rate15'), type: 'line', yAxisIndex: 1, connectNulls: true, data: history.map((h) => rate(h.rate15)), itemStyle: { color: '#b26a00' } },
        { name: t('wb.answerRate'), type: 'line', yAxisIndex: 1, connectNulls: true, data: history.map((h) => rate(h.answerRate)), itemStyle: { color: '#6a3fa0' } },
      ],
    }, { notMerge: true, lazyUpdate: true });
  }

  return {
    update(history) {
      const same = last && JSON.stringify(last) === JSON.stringify(history);
      if (!same) draw(history);
    },
    redraw() { if (last) draw(last); chart?.resize(); },
  };
}
