import { describe, expect, it } from "vitest";
import { logThrottle } from "../../src/util/log-throttle.js";

describe("logThrottle: one line per kind of failure per interval", () => {
  it("logs the first of a burst, holds back the rest, and says how many on the next line", () => {
    let now = 0;
    const lines: [string, number][] = [];
    const throttled = logThrottle(() => now, 30_000);
    const log = (kind: string) => throttled(kind, (heldBack) => lines.push([kind, heldBack]));

    for (let i = 0; i < 100; i++) log("unavailable:Storage is unavailable");
    log("failed:TypeError:x is not a function");
    expect(lines).toEqual([
      ["unavailable:Storage is unavailable", 0],
      ["failed:TypeError:x is not a function", 0],
    ]);

    now += 29_999;
    log("unavailable:Storage is unavailable");
    expect(lines).toHaveLength(2);
    now += 1;
    log("unavailable:Storage is unavailable");
    expect(lines.at(-1)).toEqual(["unavailable:Storage is unavailable", 100]);
  });

  it("remembers a bounded number of kinds, forgetting the least recently logged", () => {
    const lines: string[] = [];
    const throttled = logThrottle(() => 0, 30_000);
    for (let i = 0; i < 1000; i++) throttled(`kind-${i}`, () => lines.push(`kind-${i}`));
    // Every new kind is logged; the first ones were forgotten, so they log again.
    expect(lines).toHaveLength(1000);
    throttled("kind-0", () => lines.push("kind-0 again"));
    throttled("kind-999", () => lines.push("kind-999 again"));
    expect(lines.slice(1000)).toEqual(["kind-0 again"]);
  });
});
