/**
 * Where the library's log records go: any `{ debug, info, warn, error }` — pino fits as it is.
 * Each method is called pino's way: `(fields, message)` when there are fields, `(message)`
 * otherwise, so a pino logger merges the fields into its JSON line.
 */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

type Fields = Record<string, unknown>;

/** An error as plain fields (a logger that serializes JSON would otherwise print `{}`). */
function errorFields(error: unknown): Fields {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(code !== undefined ? { code } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  return { message: String(error) };
}

/**
 * The default logger: one JSON line per record on stderr (production), or one readable line
 * (development). Records below `level` are dropped.
 */
export function defaultLogger(options: { format: "json" | "pretty"; level: LogLevel }): Logger {
  const threshold = RANK[options.level];
  const write =
    (level: Exclude<LogLevel, "silent">) =>
    (...args: unknown[]) => {
      if (RANK[level] < threshold) return;
      const [first, second] = args;
      const fields: Fields =
        typeof first === "object" && first !== null ? { ...(first as Fields) } : {};
      const message = typeof first === "string" ? first : typeof second === "string" ? second : "";
      if (fields.err !== undefined) fields.err = errorFields(fields.err);
      // Everything to stderr: stdout belongs to the application.
      const sink = console.error;
      if (options.format === "json") {
        sink(
          JSON.stringify({
            level,
            time: new Date().toISOString(),
            name: "portcullis",
            msg: message,
            ...fields,
          }),
        );
        return;
      }
      const extra = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : "";
      sink(`[portcullis] ${level}: ${message}${extra}`);
    };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/** Logs a thrown error with a message, pino's way (`{ err }` then the message). */
export function logError(logger: Logger, message: string, error: unknown): void {
  logger.error({ err: error }, message);
}
