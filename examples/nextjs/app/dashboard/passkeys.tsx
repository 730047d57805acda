"use client";

import { useCallback, useEffect, useState } from "react";
import { addPasskey, callAuth } from "@/lib/client";

interface PasskeyRow {
  id: string;
  name: string | null;
  createdAt: string;
}

export function Passkeys() {
  const [passkeys, setPasskeys] = useState<PasskeyRow[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const load = useCallback(async () => {
    const result = await callAuth<{ passkeys: PasskeyRow[] }>("/passkeys");
    setPasskeys(result.data?.passkeys ?? []);
  }, []);
  useEffect(() => {
    load();
  }, [load]);

  async function add() {
    try {
      const result = await addPasskey(window.prompt("A name for this passkey", "My laptop"));
      setMessage(result.ok ? "Passkey added." : result.message);
    } catch (error) {
      setMessage(error instanceof Error ? error.message : "Passkey registration was cancelled");
    }
    await load();
  }
  async function remove(id: string) {
    await callAuth(`/passkeys/${encodeURIComponent(id)}`, { method: "DELETE" });
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
