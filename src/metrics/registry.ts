/*
 * A small Prometheus registry: counters, histograms and scrape-time gauges, written out in the
 * text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
 * Pure and per instance: no module state, no clock, no I/O but what a gauge's collector does.
 * Enough for the library's own metrics, not a general client (use prom-client for your own).
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface Counter<L extends string> {
  /**
   * Adds `by` (default 1, never negative) to the series of `labels`. `inc(labels, 0)` creates
   * the series at 0, so it is exposed before its first event.
   */
  inc(labels: Record<L, string>, by?: number): void;
}

export interface Histogram<L extends string> {
  /** Counts one observation (e.g. seconds) in the series of `labels`; NaN is ignored. */
  observe(labels: Record<L, string>, value: number): void;
}

export interface MetricsRegistry {
  counter<L extends string = never>(
    name: string,
    help: string,
    labelNames?: readonly L[],
  ): Counter<L>;
  /** `buckets`: the upper bounds, finite and increasing; `+Inf` is added. */
  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: readonly number[],
  ): Histogram<L>;
  /**
   * A gauge read at scrape time. A collector that answers null exposes no sample (only the
   * `# HELP` and `# TYPE` lines); one that throws makes `expose` reject.
   */
  gauge(name: string, help: string, collect: () => number | null | Promise<number | null>): void;
  /** Every metric, in registration order, as text exposition 0.0.4 (ends with a newline). */
  expose(): Promise<string>;
}

/** The content type of what `expose` returns. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** A sample value: Go's float syntax, which Prometheus parses (`+Inf`, `-Inf`, `NaN`). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

/** A `# HELP` text: backslash and line feed escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A label value: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function labelSet(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return "";
  const pairs = names.map((name, i) => `${name}="${escapeLabelValue(values[i] ?? "")}"`);
  return `{${pairs.join(",")}}`;
}

interface Family {
  name: string;
  help: string;
  type: "counter" | "histogram" | "gauge";
  samples(): Promise<string[]>;
}

/** The series of a labelled metric, keyed by their label values, listed in a stable order. */
function seriesMap<S>(labelNames: readonly string[], create: () => S) {
  const series = new Map<string, { values: string[]; state: S }>();
  return {
    get(labels: Record<string, string>): S {
      const values = labelNames.map((name) => {
        const value = labels[name];
        if (typeof value !== "string") throw new TypeError(`label ${name} is missing`);
        return value;
      });
      const key = JSON.stringify(values);
      let entry = series.get(key);
      if (!entry) {
        entry = { values, state: create() };
        series.set(key, entry);
      }
      return entry.state;
    },
    /** Sorted by label values, so the output does not depend on the order events came in. */
    sorted() {
      return [...series.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, entry]) => entry);
    },
  };
}

export function createRegistry(): MetricsRegistry {
  const families: Family[] = [];

  function register(family: Family, labelNames: readonly string[]) {
    if (!METRIC_NAME.test(family.name)) throw new TypeError(`bad metric name ${family.name}`);
    if (families.some((other) => other.name === family.name)) {
      throw new TypeError(`metric ${family.name} is registered already`);
    }
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith("__") || label === "le") {
        throw new TypeError(`bad label name ${label} on ${family.name}`);
      }
    }
    families.push(family);
  }

  return {
    counter(name, help, labelNames = []) {
      const series = seriesMap(labelNames, () => ({ value: 0 }));
      register(
        {
          name,
          help,
          type: "counter",
          async samples() {
            return series
              .sorted()
              .map(
                ({ values, state }) =>
                  `${name}${labelSet(labelNames, values)} ${formatValue(state.value)}`,
              );
          },
        },
        labelNames,
      );
      return {
        inc(labels, by = 1) {
          if (!(by >= 0)) throw new RangeError(`${name} can only go up (got ${by})`);
          series.get(labels).value += by;
        },
      };
    },

    histogram(name, help, labelNames, buckets) {
      const bounds = [...buckets];
      if (
        bounds.some(
          (bound, i) => !Number.isFinite(bound) || (i > 0 && bound <= (bounds[i - 1] as number)),
        )
      ) {
        throw new RangeError(`${name}: buckets must be finite and increasing`);
      }
      // Per series: the count of each bucket on its own (the last one is +Inf), the sum, the count.
      const series = seriesMap(labelNames, () => ({
        buckets: new Array<number>(bounds.length + 1).fill(0),
        sum: 0,
        count: 0,
      }));
      const le = [...bounds.map(formatValue), "+Inf"];
      register(
        {
          name,
          help,
          type: "histogram",
          async samples() {
            const lines: string[] = [];
            for (const { values, state } of series.sorted()) {
              let cumulative = 0;
              state.buckets.forEach((count, i) => {
                cumulative += count;
                const labels = labelSet([...labelNames, "le"], [...values, le[i] as string]);
                lines.push(`${name}_bucket${labels} ${formatValue(cumulative)}`);
              });
              const labels = labelSet(labelNames, values);
              lines.push(`${name}_sum${labels} ${formatValue(state.sum)}`);
              lines.push(`${name}_count${labels} ${formatValue(state.count)}`);
            }
            return lines;
          },
        },
        labelNames,
      );
      return {
        observe(labels, value) {
          if (Number.isNaN(value)) return;
          const state = series.get(labels);
          let index = bounds.findIndex((bound) => value <= bound);
          if (index === -1) index = bounds.length;
          state.buckets[index] = (state.buckets[index] ?? 0) + 1;
          state.sum += value;
          state.count++;
        },
      };
    },

    gauge(name, help, collect) {
      register(
        {
          name,
          help,
          type: "gauge",
          async samples() {
            const value = await collect();
            return value === null ? [] : [`${name} ${formatValue(value)}`];
          },
        },
        [],
      );
    },

    async expose() {
      const blocks = await Promise.all(
        families.map(async (family) => [
          `# HELP ${family.name} ${escapeHelp(family.help)}`,
          `# TYPE ${family.name} ${family.type}`,
          ...(await family.samples()),
        ]),
      );
      return `${blocks.flat().join("\n")}\n`;
    },
  };
}
