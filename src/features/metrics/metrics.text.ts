/**
 * The Prometheus text exposition format, version 0.0.4: `# HELP`, `# TYPE`, then one sample a line,
 * families in the order they were added.
 */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge' | 'summary' | 'untyped';
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  labels?: Labels;
  value: number;
  /** A suffix of the family name, e.g. `_sum` or `_count` of a summary. */
  suffix?: string;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels | undefined): string {
  if (!labels) return '';
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  const parts = keys.map((k) => {
    if (!LABEL.test(k) || k.startsWith('__')) throw new Error(`invalid label name: ${k}`);
    return `${k}="${escapeLabelValue(labels[k] ?? '')}"`;
  });
  return `{${parts.join(',')}}`;
}

/** The families as one exposition; a family without samples still gets its HELP and TYPE lines. */
export function renderExposition(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const f of families) {
    if (!NAME.test(f.name)) throw new Error(`invalid metric name: ${f.name}`);
    if (seen.has(f.name)) throw new Error(`metric family repeated: ${f.name}`);
    seen.add(f.name);
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
    out.push(`# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) out.push(`${f.name}${s.suffix ?? ''}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return `${out.join('\n')}\n`;
}

/** Collects families for one scrape. */
export class Exposition {
  private readonly families: MetricFamily[] = [];

  add(name: string, type: MetricType, help: string, samples: Sample[] | number): this {
    this.families.push({ name, type, help, samples: typeof samples === 'number' ? [{ value: samples }] : samples });
    return this;
  }

  /** One sample per key of `counts`, labelled `label=key`; keys listed in `always` appear even at zero. */
  addBy(name: string, type: MetricType, help: string, label: string, counts: ReadonlyMap<string, number>, always: readonly string[] = []): this {
    const keys = [...new Set([...always, ...counts.keys()])];
    return this.add(name, type, help, keys.map((k) => ({ labels: { [label]: k }, value: counts.get(k) ?? 0 })));
  }

  render(): string {
    return renderExposition(this.families);
  }
}
