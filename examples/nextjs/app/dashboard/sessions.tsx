"use client";

import { useRouter } from "next/navigation";
import type { ClientSessionListItem } from "portcullis/client";
import { useCallback, useEffect, useState } from "react";
import { authClient, explain } from "@/lib/client";

export function Sessions() {
  const [sessions, setSessions] = useState<ClientSessionListItem[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  // Re-renders the server parts of the page (the activity list) and keeps this state.
  const router = useRouter();
  const load = useCallback(async () => {
    try {
      setSessions(await authClient.sessions.list());
    } catch (error) {
      setMessage(explain(error));
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);

  async function act(work: () => Promise<void>) {
    try {
      await work();
      setMessage(null);
      router.refresh();
    } catch (error) {
      setMessage(explain(error));
    }
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
              <button type="button" onClick={() => act(() => authClient.sessions.revoke(s.id))}>
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => act(() => authClient.sessions.revokeOthers())}>
        Sign out everywhere else
      </button>
      {message && <p role="alert">{message}</p>}
    </section>
  );
}
