// The report charts with echarts (loaded as /reports/echarts.min.js) in its built-in Chinese or English locale.
import { t, getLang } from '../i18n.js';

const charts = new Map();

function chartOf(el) {
  const locale = getLang() === 'en' ? 'EN' : 'ZH';
  let held = charts.get(el.id);
  if (held && held.locale !== locale) { held.chart.dispose(); held = undefined; }
  if (!held) {
    held = { locale, chart: window.echarts.init(el, null, { locale, renderer: 'canvas' }) };
    charts.set(el.id, held);
  }
  return held.chart;
}

const pct = (v) => (v === null || v === undefined ? null : Math.round(v * 10000) / 100);
const round2 = (v) => (v === null || v === undefined ? null : Math.round(v * 100) / 100);

export function renderTrend(el, months) {
  chartOf(el).setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 40, right: 40, top: 30, bottom: 24 },
    xAxis: { type: 'category', data: months.map((m) => m.month) },
    yAxis: [{ type: 'value', min: 0, max: 100 }, { type: 'value', inverse: true, minInterval: 1, name: t('reports.col.rank') }],
    series: [
      { name: t('reports.col.composite'), type: 'line', connectNulls: true, data: months.map((m) => round2(m.composite)), lineStyle: { width: 3 } },
      { name: t('reports.col.response'), type: 'line', data: months.map((m) => pct(m.responseRate)) },
      { name: t('reports.col.resolution'), type: 'line', data: months.map((m) => pct(m.resolutionRate)) },
      { name: t('reports.col.satisfaction'), type: 'line', data: months.map((m) => pct(m.satisfactionRate)) },
      { name: t('reports.col.rank'), type: 'bar', yAxisIndex: 1, data: months.map((m) => m.rank), barMaxWidth: 12, itemStyle: { opacity: 0.35 } },
    ],
  }, true);
}

export function renderCategories(el, rows) {
  const label = (r) => (getLang() === 'en' ? r.en : r.zh);
  const shown = [...rows].reverse();
  chartOf(el).setOption({
    animation: false,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 150, right: 20, top: 10, bottom: 24 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: shown.map(label), axisLabel: { width: 140, overflow: 'truncate' } },
    series: [{ name: t('reports.count'), type: 'bar', data: shown.map((r) => r.count), itemStyle: { color: '#1f5fae' } }],
  }, true);
}

export function renderDaily(el, days) {
  chartOf(el).setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    grid: { left: 40, right: 20, top: 10, bottom: 24 },
    xAxis: { type: 'category', data: days.map((d) => d.day.slice(5)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: t('reports.dailyVolume'), type: 'bar', data: days.map((d) => d.count), itemStyle: { color: '#b3261e' } }],
  }, true);
}

export function resizeCharts() {
  for (const { chart } of charts.values()) chart.resize();
}
