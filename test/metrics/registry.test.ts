import { describe, expect, it } from "vitest";
import {
  createRegistry,
  escapeHelp,
  escapeLabelValue,
  formatValue,
} from "../../src/metrics/registry.js";

/*
 * The Prometheus registry behind `auth.metrics()`: text exposition 0.0.4, checked line by line
 * here; test/metrics/metrics.test.ts runs the real `promtool check metrics` over it.
 */

describe("the metrics registry", () => {
  it("writes # HELP and # TYPE, then one line per series, and ends with a newline", async () => {
    const registry = createRegistry();
    const counter = registry.counter("demo_total", "Things done.", ["kind"]);
    counter.inc({ kind: "b" });
    counter.inc({ kind: "a" }, 2);
    counter.inc({ kind: "b" });
    registry.counter("demo_never_total", "Declared, never counted.", ["outcome"]);
    const plain = registry.counter("demo_plain_total", "No labels.");
    plain.inc({}, 0);
    expect(await registry.expose()).toBe(
      [
        "# HELP demo_total Things done.",
        "# TYPE demo_total counter",
        'demo_total{kind="a"} 2',
        'demo_total{kind="b"} 2',
        "# HELP demo_never_total Declared, never counted.",
        "# TYPE demo_never_total counter",
        "# HELP demo_plain_total No labels.",
        "# TYPE demo_plain_total counter",
        "demo_plain_total 0",
        "",
      ].join("\n"),
    );
  });

  it("escapes label values and help text as the format says", async () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeHelp('back\\slash "quotes" stay\nnext')).toBe(
      'back\\\\slash "quotes" stay\\nnext',
    );
    const registry = createRegistry();
    registry.counter("odd_total", "Help with a \\ and a\nline feed.", ["route"]).inc({
      route: '/x"y\\z\n',
    });
    const text = await registry.expose();
    expect(text).toContain("# HELP odd_total Help with a \\\\ and a\\nline feed.\n");
    expect(text).toContain('odd_total{route="/x\\"y\\\\z\\n"} 1\n');
  });

  it("formats special values the way Prometheus parses them", () => {
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe("+Inf");
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe("-Inf");
    expect(formatValue(Number.NaN)).toBe("NaN");
    expect(formatValue(0.005)).toBe("0.005");
    expect(formatValue(3)).toBe("3");
  });

  it("writes histograms with cumulative buckets, +Inf, _sum and _count", async () => {
    const registry = createRegistry();
    const histogram = registry.histogram("latency_seconds", "Latency.", ["route"], [0.1, 0.5, 1]);
    for (const value of [0.05, 0.1, 0.3, 0.7, 2, 0.2]) histogram.observe({ route: "/a" }, value);
    histogram.observe({ route: "/b" }, Number.NaN); // ignored
    histogram.observe({ route: "/c" }, 0.1); // on a bound: counted in that bucket (le)
    const text = await registry.expose();
    expect(text).toBe(
      [
        "# HELP latency_seconds Latency.",
        "# TYPE latency_seconds histogram",
        'latency_seconds_bucket{route="/a",le="0.1"} 2',
        'latency_seconds_bucket{route="/a",le="0.5"} 4',
        'latency_seconds_bucket{route="/a",le="1"} 5',
        'latency_seconds_bucket{route="/a",le="+Inf"} 6',
        `latency_seconds_sum{route="/a"} ${0.05 + 0.1 + 0.3 + 0.7 + 2 + 0.2}`,
        'latency_seconds_count{route="/a"} 6',
        'latency_seconds_bucket{route="/c",le="0.1"} 1',
        'latency_seconds_bucket{route="/c",le="0.5"} 1',
        'latency_seconds_bucket{route="/c",le="1"} 1',
        'latency_seconds_bucket{route="/c",le="+Inf"} 1',
        'latency_seconds_sum{route="/c"} 0.1',
        'latency_seconds_count{route="/c"} 1',
        "",
      ].join("\n"),
    );
  });

  it("reads gauges at scrape time; null means no sample", async () => {
    let backlog: number | null = 3;
    const registry = createRegistry();
    registry.gauge("queue_depth", "Queued.", async () => backlog);
    expect(await registry.expose()).toContain("\nqueue_depth 3\n");
    backlog = null;
    expect(await registry.expose()).toBe("# HELP queue_depth Queued.\n# TYPE queue_depth gauge\n");
  });

  it("refuses what would make the output invalid", () => {
    const registry = createRegistry();
    expect(() => registry.counter("bad-name", "x")).toThrow(/bad metric name/);
    expect(() => registry.counter("ok_total", "x", ["__reserved"])).toThrow(/bad label/);
    expect(() => registry.histogram("h", "x", ["le"], [1])).toThrow(/bad label/);
    expect(() => registry.histogram("h2", "x", [], [1, 1])).toThrow(/increasing/);
    registry.counter("twice_total", "x");
    expect(() => registry.counter("twice_total", "x")).toThrow(/registered already/);
    const counter = registry.counter("up_total", "x", ["a"]);
    expect(() => counter.inc({ a: "x" }, -1)).toThrow(/only go up/);
    expect(() => counter.inc({} as { a: string })).toThrow(/label a is missing/);
  });
});
