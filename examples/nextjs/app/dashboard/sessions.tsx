"use client";

import { useCallback, useEffect, useState } from "react";
import { callAuth } from "@/lib/client";

interface SessionRow {
  id: string;
  createdAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

export function Sessions() {
  const [sessions, setSessions] = useState<SessionRow[]>([]);
  const load = useCallback(async () => {
    const result = await callAuth<{ sessions: SessionRow[] }>("/sessions");
    setSessions(result.data?.sessions ?? []);
  }, []);
  useEffect(() => {
    load();
  }, [load]);

  async function revoke(id: string) {
    await callAuth(`/sessions/${encodeURIComponent(id)}`, { method: "DELETE" });
    await load();
  }
  async function revokeOthers() {
    await callAuth("/sessions/revoke-others", { method: "POST" });
    await load();
  }

  return (
    <section>
      <h2>Sessions</h2>
      <ul>
        {sessions.map((s) => (
          <li key={s.id}>
            {new Date(s.createdAt).toLocaleString()} · {s.ip ?? "unknown address"} ·{" "}
            {s.userAgent ?? "unknown browser"}{" "}
            {s.current ? (
              <em>(this one)</em>
            ) : (
              <button type="button" onClick={() => revoke(s.id)}>
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      <button type="button" onClick={revokeOthers}>
        Sign out everywhere else
      </button>
    </section>
  );
}
