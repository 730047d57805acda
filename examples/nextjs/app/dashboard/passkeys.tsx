"use client";

import { useRouter } from "next/navigation";
import type { ClientPasskey } from "portcullis/client";
import { useCallback, useEffect, useState } from "react";
import { authClient, explain } from "@/lib/client";

export function Passkeys() {
  const [passkeys, setPasskeys] = useState<ClientPasskey[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  // Re-renders the server parts of the page (the activity list) and keeps this state.
  const router = useRouter();
  const load = useCallback(async () => {
    try {
      setPasskeys(await authClient.passkeys.list());
    } catch (error) {
      setMessage(explain(error));
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);

  async function add() {
    try {
      const name = window.prompt("A name for this passkey", "My laptop") || undefined;
      await authClient.passkeys.register({ name });
      setMessage("Passkey added.");
      router.refresh();
    } catch (error) {
      setMessage(explain(error));
    }
    await load();
  }
  async function remove(id: string) {
    try {
      await authClient.passkeys.remove(id);
      setMessage(null);
      router.refresh();
    } catch (error) {
      setMessage(explain(error));
    }
    await load();
  }

  return (
    <section>
      <h2>Passkeys</h2>
      <ul>
        {passkeys.map((p) => (
          <li key={p.id}>
            {p.name ?? "Unnamed passkey"} · added {new Date(p.createdAt).toLocaleDateString()}{" "}
            <button type="button" onClick={() => remove(p.id)}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={add}>
        Add a passkey
      </button>
      {message && <p role="status">{message}</p>}
    </section>
  );
}
