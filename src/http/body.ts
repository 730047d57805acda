import { AuthError } from "../errors.js";

export type BodyFormat = "json" | "form";

function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

const TOO_LARGE = () => new AuthError("payload_too_large", "Request body is too large");

/** Reads at most `maxBytes`, stopping the stream as soon as the cap is passed. */
async function readCapped(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw TOO_LARGE();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw TOO_LARGE();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AuthError("invalid_request", "Request body is not valid UTF-8");
  }
}

/**
 * Parses the body as one of `formats` (JSON by default), or throws `unsupported_media_type`,
 * `payload_too_large` or `invalid_request`.
 */
export async function readBody(
  request: Request,
  maxBytes: number,
  formats: readonly BodyFormat[] = ["json"],
): Promise<unknown> {
  const type = mediaType(request);
  const format: BodyFormat | null =
    type === "application/json"
      ? "json"
      : type === "application/x-www-form-urlencoded"
        ? "form"
        : null;
  if (format === null || !formats.includes(format)) {
    const expected = formats.map((f) =>
      f === "json" ? "application/json" : "application/x-www-form-urlencoded",
    );
    throw new AuthError("unsupported_media_type", `Content-Type must be ${expected.join(" or ")}`);
  }
  const text = await readCapped(request, maxBytes);
  if (format === "form") return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AuthError("invalid_request", "Request body is not valid JSON");
  }
}

/**
 * Reads the body a route declares (`BodySpec`): in one of its `formats`, or `{}` when the body
 * is `optional` and the request has no Content-Type (`fetch(url, { method: "POST" })`).
 */
export async function readDeclaredBody(
  request: Request,
  maxBytes: number,
  spec: { formats?: readonly BodyFormat[]; optional?: boolean },
): Promise<unknown> {
  if (spec.optional && !request.headers.has("content-type")) return {};
  return readBody(request, maxBytes, spec.formats);
}
