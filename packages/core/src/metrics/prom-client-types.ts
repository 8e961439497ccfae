/** @module The slice of prom-client's API that switchyard uses, typed structurally so core never depends on prom-client. */

export type PromLabels = Record<string, string | number>;

export interface PromRegistry {
  metrics(): Promise<string>;
  readonly contentType: string;
  registerMetric(metric: PromCounter | PromGauge | PromHistogram): void;
  removeSingleMetric(name: string): void;
}

export interface PromCounter {
  inc(labels: PromLabels, value?: number): void;
  reset(): void;
  /** Drop one label set's series. */
  remove(labels: PromLabels): void;
}

export interface PromGauge {
  set(labels: PromLabels, value: number): void;
  reset(): void;
}

export interface PromHistogram {
  observe(labels: PromLabels, value: number): void;
  reset(): void;
  /** Drop one label set's series. */
  remove(labels: PromLabels): void;
}

export interface PromMetricConfig {
  name: string;
  help: string;
  labelNames?: string[];
  /** Always `[]`: metrics are registered explicitly (so the types never need prom-client's Registry class). */
  registers: never[];
  collect?: () => void;
}

/** What `import * as promClient from 'prom-client'` provides (v14/v15). */
export interface PromClientLike {
  Registry: new () => PromRegistry;
  Counter: new (config: PromMetricConfig) => PromCounter;
  Gauge: new (config: PromMetricConfig) => PromGauge;
  Histogram: new (config: PromMetricConfig & { buckets?: number[] }) => PromHistogram;
}
