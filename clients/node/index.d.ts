// Type declarations for @tributary/client (prom-client-shaped metrics over Tributary's JSON feed).

export type LabelValues<T extends string> = Partial<Record<T, string | number>>;

/** An exemplar as prom-client spells it (`traceId`, `spanId`); `trace_id`/`span_id` are accepted too. */
export interface Exemplar {
  traceId?: string;
  spanId?: string;
  trace_id?: string;
  span_id?: string;
}

export interface ClientOptions {
  /** Unix stream socket of Tributary's JSON feed. Default: $TRIBUTARY_FEED_SOCKET, else /var/run/metrics/metrics.sock. */
  socketPath?: string;
  /** Bytes of serialized lines kept while Tributary is away or slow; beyond it samples are dropped and counted.
   *  Default: $TRIBUTARY_FEED_MAX_QUEUE_BYTES, else 4 MiB. */
  maxQueueBytes?: number;
  /** Longest line written (Tributary's --json.max-line-bytes is 65536). Default 61440. */
  maxLineBytes?: number;
  /** Bytes handed to the socket and not yet taken by the kernel before the client stops writing. Default 1 MiB. */
  maxInFlightBytes?: number;
  /** Reconnect backoff: doubles from min to max (with ±20 % jitter). Defaults 100 ms and 5000 ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Period of default-metric collection, `collect()` callbacks, gauge refresh and self-metrics.
   *  Default: $TRIBUTARY_FEED_INTERVAL_MS, else 5000. 0 disables the timer. */
  interval?: number;
  /** 0 (default): flush once per event-loop turn; > 0: at most every this many milliseconds. */
  flushIntervalMs?: number;
  /** Value of the worker label on gauges. Default: $TRIBUTARY_WORKER, else PM2's NODE_APP_INSTANCE, else the cluster
   *  worker id, else none (single process). `null`/`false`: never add one. */
  worker?: string | number | null | false;
  /** Name of that label. Default "worker". */
  workerLabel?: string;
  /** Labels added to every series. */
  defaultLabels?: Record<string, string | number>;
  /** Called (never thrown) with connection and collection errors. */
  onError?: (err: unknown) => void;
}

export interface ClientStats {
  socketPath: string;
  connected: boolean;
  queuedBytes: number;
  queuedLines: number;
  sentSamples: number;
  sentLines: number;
  connects: number;
  connectErrors: number;
  lastError: string | null;
  dropped: { queue_full: number; connection_lost: number; invalid: number; too_large: number };
  droppedTotal: number;
}

/** The connection to Tributary and the registry of metrics; prom-client's `register` equivalent. */
export class Client {
  constructor(options?: ClientOptions);
  readonly socketPath: string;
  getSingleMetric(name: string): Metric<string> | undefined;
  getMetricsAsArray(): Metric<string>[];
  removeSingleMetric(name: string): void;
  clear(): void;
  setDefaultLabels(labels: Record<string, string | number>): void;
  /** Serializes what was recorded since the last flush (normally done once per event-loop turn). */
  flush(): void;
  stats(): ClientStats;
  /** Flushes and waits (bounded) until the queue is written, then closes. Never rejects. */
  close(timeoutMs?: number): Promise<void>;
}

export interface MetricConfiguration<T extends string> {
  name: string;
  help: string;
  labelNames?: readonly T[];
  /** OpenMetrics unit (e.g. "seconds", "bytes"); sent with the family's metadata. */
  unit?: string;
  /** The client to write to; default: the module's default client (see configure()). */
  client?: Client;
  /** prom-client compatibility: the first entry is used when it is a Client. */
  registers?: Client[];
  enableExemplars?: boolean;
  /** Called every `interval` ms (prom-client calls it at scrape time). */
  collect?: (this: any) => void | Promise<void>;
  aggregator?: string;
}

export interface Metric<T extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: T[];
  readonly unit?: string;
  reset(): void;
  remove(labels: LabelValues<T>): void;
  remove(...values: Array<string | number>): void;
}

export interface CounterConfiguration<T extends string> extends MetricConfiguration<T> {
  collect?: (this: Counter<T>) => void | Promise<void>;
}

export interface IncreaseDataWithExemplar<T extends string> {
  value?: number;
  labels?: LabelValues<T>;
  exemplarLabels?: Exemplar;
}

export class Counter<T extends string = string> implements Metric<T> {
  constructor(configuration: CounterConfiguration<T>);
  readonly name: string;
  readonly help: string;
  readonly labelNames: T[];
  readonly unit?: string;
  inc(value?: number, exemplar?: Exemplar): void;
  inc(labels: LabelValues<T>, value?: number, exemplar?: Exemplar): void;
  inc(data: IncreaseDataWithExemplar<T>): void;
  labels(labels: LabelValues<T>): { inc(value?: number, exemplar?: Exemplar): void };
  labels(...values: Array<string | number>): { inc(value?: number, exemplar?: Exemplar): void };
  reset(): void;
  remove(labels: LabelValues<T>): void;
  remove(...values: Array<string | number>): void;
}

export interface GaugeConfiguration<T extends string> extends MetricConfiguration<T> {
  collect?: (this: Gauge<T>) => void | Promise<void>;
}

export class Gauge<T extends string = string> implements Metric<T> {
  constructor(configuration: GaugeConfiguration<T>);
  readonly name: string;
  readonly help: string;
  readonly labelNames: T[];
  readonly unit?: string;
  set(value: number): void;
  set(labels: LabelValues<T>, value: number): void;
  inc(value?: number): void;
  inc(labels: LabelValues<T>, value?: number): void;
  dec(value?: number): void;
  dec(labels: LabelValues<T>, value?: number): void;
  setToCurrentTime(labels?: LabelValues<T>): void;
  /** Returns a function that sets the gauge to the seconds elapsed and returns them. */
  startTimer(labels?: LabelValues<T>): (labels?: LabelValues<T>) => number;
  labels(labels: LabelValues<T>): GaugeChild;
  labels(...values: Array<string | number>): GaugeChild;
  reset(): void;
  remove(labels: LabelValues<T>): void;
  remove(...values: Array<string | number>): void;
}

export interface GaugeChild {
  set(value: number): void;
  inc(value?: number): void;
  dec(value?: number): void;
  setToCurrentTime(): void;
  startTimer(): (labels?: Record<string, string | number>) => number;
}

export interface HistogramConfiguration<T extends string> extends MetricConfiguration<T> {
  /** Upper bounds, strictly increasing (+Inf implied). Default prom-client's 0.005 … 10. */
  buckets?: number[];
  collect?: (this: Histogram<T>) => void | Promise<void>;
}

export interface ObserveDataWithExemplar<T extends string> {
  value: number;
  labels?: LabelValues<T>;
  exemplarLabels?: Exemplar;
}

export class Histogram<T extends string = string> implements Metric<T> {
  constructor(configuration: HistogramConfiguration<T>);
  readonly name: string;
  readonly help: string;
  readonly labelNames: T[];
  readonly unit?: string;
  readonly buckets: number[];
  observe(value: number, exemplar?: Exemplar): void;
  observe(labels: LabelValues<T>, value: number, exemplar?: Exemplar): void;
  observe(data: ObserveDataWithExemplar<T>): void;
  /** Returns a function that observes the seconds elapsed (with more labels and an exemplar) and returns them. */
  startTimer(labels?: LabelValues<T>, exemplar?: Exemplar): (labels?: LabelValues<T>, exemplar?: Exemplar) => number;
  labels(labels: LabelValues<T>): HistogramChild<T>;
  labels(...values: Array<string | number>): HistogramChild<T>;
  zero(labels: LabelValues<T>): void;
  reset(): void;
  remove(labels: LabelValues<T>): void;
  remove(...values: Array<string | number>): void;
}

export interface HistogramChild<T extends string> {
  observe(value: number, exemplar?: Exemplar): void;
  startTimer(exemplar?: Exemplar): (labels?: LabelValues<T>, exemplar?: Exemplar) => number;
}

export interface SummaryConfiguration<T extends string> extends MetricConfiguration<T> {
  /** Accepted for prom-client compatibility; Tributary computes the quantiles (mapping `summary_options`). */
  percentiles?: number[];
  maxAgeSeconds?: number;
  ageBuckets?: number;
  collect?: (this: Summary<T>) => void | Promise<void>;
}

export class Summary<T extends string = string> implements Metric<T> {
  constructor(configuration: SummaryConfiguration<T>);
  readonly name: string;
  readonly help: string;
  readonly labelNames: T[];
  readonly unit?: string;
  observe(value: number): void;
  observe(labels: LabelValues<T>, value: number): void;
  startTimer(labels?: LabelValues<T>): (labels?: LabelValues<T>) => number;
  labels(labels: LabelValues<T>): HistogramChild<T>;
  labels(...values: Array<string | number>): HistogramChild<T>;
  reset(): void;
  remove(labels: LabelValues<T>): void;
  remove(...values: Array<string | number>): void;
}

export interface DefaultMetricsCollectorConfiguration {
  client?: Client;
  /** prom-client's name for the registry: a Client here. */
  register?: Client;
  prefix?: string;
  labels?: Record<string, string | number>;
  gcDurationBuckets?: number[];
  eventLoopMonitoringPrecision?: number;
  /** Value of the `process` label on process_* metrics (the bundled dashboards select process="app").
   *  Default "app"; null/false: no label, as prom-client. */
  processLabel?: string | null | false;
}

export function collectDefaultMetrics(config?: DefaultMetricsCollectorConfiguration): { stop(): void };
export namespace collectDefaultMetrics {
  const metricsList: string[];
}

/** Creates the default client with these options (call before creating metrics); returns it. */
export function configure(options?: ClientOptions): Client;
/** The default client. */
export const register: Client;
export const DEFAULT_SOCKET: string;
export function linearBuckets(start: number, width: number, count: number): number[];
export function exponentialBuckets(start: number, factor: number, count: number): number[];
