import type { RevocationStore } from "../ports.js";

export function memoryRevocations(): RevocationStore {
  const untilBySession = new Map<string, Date>();

  return {
    async revokeSessions(sessionIds, until) {
      for (const id of sessionIds) {
        const current = untilBySession.get(id);
        if (!current || current < until) untilBySession.set(id, new Date(until));
      }
    },
    async isSessionRevoked(sessionId, now) {
      const until = untilBySession.get(sessionId);
      return until !== undefined && until > now;
    },
    async deleteExpired(now) {
      let count = 0;
      for (const [id, until] of untilBySession) {
        if (until <= now) {
          untilBySession.delete(id);
          count++;
        }
      }
      return count;
    },
  };
}
