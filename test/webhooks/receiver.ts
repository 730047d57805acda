import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/*
 * A webhook receiver as a user would write one: a plain node:http server on 127.0.0.1 that
 * verifies every delivery with the reference Standard Webhooks library (`standardwebhooks`) and
 * answers 401 to one it cannot verify. Tests script its next answers (a status, a redirect, a
 * slow answer) and can take it down (connection refused) and bring it back on the same port.
 */

/** A test secret: `whsec_` + base64 of 32 bytes. */
export function makeSecret(): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64")}`;
}

export interface Received {
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as it arrived. */
  body: string;
  /** Whether `new Webhook(secret).verify(body, headers)` accepted it. */
  verified: boolean;
  /** Why verification failed, when it did. */
  error?: string;
  /** What the receiver answered. */
  status: number;
}

/** One scripted answer to a verified delivery. */
export type Answer = { status: number; location?: string } | { delayMs: number; status?: number };

export interface Receiver {
  url: string;
  secret: string;
  received: Received[];
  /** Answers to the next verified deliveries, in order; afterwards 204. */
  answerNext(...answers: Answer[]): void;
  /** Closes the port: the next requests meet a refused connection. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/** The signature headers as the reference library wants them (one string each). */
export function signatureHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return {
    "webhook-id": String(headers["webhook-id"] ?? ""),
    "webhook-timestamp": String(headers["webhook-timestamp"] ?? ""),
    "webhook-signature": String(headers["webhook-signature"] ?? ""),
  };
}

export async function startReceiver(secret = makeSecret()): Promise<Receiver> {
  const received: Received[] = [];
  const answers: Answer[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const verifier = new Webhook(secret);
  let server: Server | undefined;
  let port = 0;

  function listen(): Promise<void> {
    const next = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const entry: Received = { headers: request.headers, body, verified: false, status: 401 };
        received.push(entry);
        try {
          verifier.verify(body, signatureHeaders(request.headers));
          entry.verified = true;
        } catch (error) {
          entry.error = (error as Error).message;
          response.writeHead(401).end();
          return;
        }
        const answer = answers.shift() ?? { status: 204 };
        response.on("error", () => {});
        const send = () => {
          entry.status = answer.status ?? 204;
          const location = "location" in answer ? answer.location : undefined;
          response.writeHead(entry.status, location ? { location } : {}).end();
        };
        if ("delayMs" in answer) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            send();
          }, answer.delayMs);
          timers.add(timer);
        } else {
          send();
        }
      });
    });
    return new Promise((resolve) => {
      next.listen(port, "127.0.0.1", () => {
        port = (next.address() as AddressInfo).port;
        server = next;
        resolve();
      });
    });
  }

  async function down(): Promise<void> {
    const current = server;
    server = undefined;
    if (!current) return;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    // Keep-alive sockets would keep answering: close them all, so the port truly refuses.
    current.closeAllConnections();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  }

  await listen();
  return {
    url: `http://127.0.0.1:${port}/hooks/portcullis`,
    secret,
    received,
    answerNext(...next) {
      answers.push(...next);
    },
    down,
    up: listen,
    close: down,
  };
}

/** The parsed body of a delivery. */
export function bodyOf(delivery: Received | undefined): {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
} {
  if (!delivery) throw new Error("no delivery");
  return JSON.parse(delivery.body);
}

/** A logger that keeps what it is told, by level. */
export function captureLogger() {
  const records = {
    debug: [] as unknown[][],
    info: [] as unknown[][],
    warn: [] as unknown[][],
    error: [] as unknown[][],
  };
  return {
    records,
    debug: (...args: unknown[]) => void records.debug.push(args),
    info: (...args: unknown[]) => void records.info.push(args),
    warn: (...args: unknown[]) => void records.warn.push(args),
    error: (...args: unknown[]) => void records.error.push(args),
  };
}

/** One sample of an exposition, e.g. `portcullis_webhook_deliveries_total{outcome="dead"}`. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
