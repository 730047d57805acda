/**
 * Node's `IncomingMessage`/`ServerResponse` to and from Web `Request`/`Response`, for the
 * Express and Fastify adapters. Internal: not a public subpath. Node types only, no runtime
 * `node:` import, so the build stays platform-neutral.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** A body to send instead of the request's own stream (when a body parser already read it). */
export type ReplacementBody = string | Uint8Array;

const NO_BODY = new Set(["GET", "HEAD"]);

/** The request's headers as Web `Headers`; HTTP/2 pseudo-headers (`:path`) left out. */
export function toWebHeaders(headers: IncomingMessage["headers"]): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(":")) continue;
    for (const item of Array.isArray(value) ? value : [value]) result.append(name, item);
  }
  return result;
}

/**
 * The Node request's body as a Web stream, read only when the core reads it. Untouched, Node
 * discards an unread body once the response ends, which keeps the connection usable; cancelled
 * (the core stops at its size cap), the rest is drained rather than the socket destroyed, so the
 * error response still reaches the client.
 */
function streamOf(req: IncomingMessage): ReadableStream<Uint8Array> {
  let listening = false;
  let finished = false;
  const listeners = {
    data: (_chunk: Buffer) => {},
    end: () => {},
    error: (_error: Error) => {},
  };
  const detach = () => {
    finished = true;
    req.off("data", listeners.data);
    req.off("end", listeners.end);
    req.off("error", listeners.error);
  };
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (!listening) {
          listening = true;
          listeners.data = (chunk) => {
            if (finished) return;
            controller.enqueue(chunk);
            if ((controller.desiredSize ?? 0) <= 0) req.pause();
          };
          listeners.end = () => {
            detach();
            controller.close();
          };
          listeners.error = (error) => {
            detach();
            controller.error(error);
          };
          req.on("data", listeners.data);
          req.on("end", listeners.end);
          req.on("error", listeners.error);
        }
        req.resume();
      },
      cancel() {
        detach();
        req.resume();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * A Web `Request` for `url` (absolute) with the Node request's method and headers. The body is
 * `replacement` when given (its length then differs, so Content-Length is dropped), else the
 * request's own stream.
 */
export function toWebRequest(
  req: IncomingMessage,
  url: string,
  replacement?: ReplacementBody,
): Request {
  const method = (req.method ?? "GET").toUpperCase();
  const headers = toWebHeaders(req.headers);
  let body: BodyInit | null = null;
  if (!NO_BODY.has(method)) {
    if (replacement !== undefined) {
      headers.delete("content-length");
      headers.delete("transfer-encoding");
      body = replacement as BodyInit;
    } else {
      body = streamOf(req);
    }
  }
  // `duplex` is required by Node's fetch for stream bodies; DOM typings do not know it yet.
  return new Request(url, { method, headers, body, duplex: "half" } as RequestInit);
}

/** Writes a Web `Response` to the Node response: status, every header (each Set-Cookie), body. */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  for (const [name, value] of response.headers) {
    if (name === "set-cookie") continue;
    res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (response.body) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      res.write(chunk);
    }
  }
  res.end();
}
