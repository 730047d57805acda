import type { RateLimitStore, RateLimitWindow } from "../ports.js";

export function memoryRateLimits(): RateLimitStore {
  const windows = new Map<string, RateLimitWindow>();

  function current(key: string, now: Date): RateLimitWindow | null {
    const window = windows.get(key);
    if (!window) return null;
    if (window.resetAt <= now) {
      windows.delete(key);
      return null;
    }
    return window;
  }

  return {
    async hit(key, windowMs, now) {
      const window = current(key, now) ?? { count: 0, resetAt: new Date(now.getTime() + windowMs) };
      window.count++;
      windows.set(key, window);
      return { ...window };
    },
    async peek(key, now) {
      const window = current(key, now);
      return window ? { ...window } : null;
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}
