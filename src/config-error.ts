/** One problem with the options of `createAuth`. */
export interface ConfigIssue {
  /**
   * The dotted path of the option, e.g. `"session.maxAge"`, `"trustedOrigins.1"` or
   * `"tokens.keys.0"`; `""` for the options object as a whole.
   */
  option: string;
  /** What is wrong, as a sentence that names the option, e.g. `session.maxAge: Too small: ...`. */
  message: string;
}

/**
 * Thrown by `createAuth` when an option is wrong (or unknown). The message names every bad
 * option and the reason, e.g. `Invalid Portcullis config: secret must be at least 32 bytes
 * (got 12)`; `option` and `issues` give the same to code.
 */
export class ConfigError extends Error {
  /** The dotted path of the first bad option, e.g. `"session.maxAge"` (as in `issues[0]`). */
  readonly option: string;
  /** Every problem found, in order. Never empty. */
  readonly issues: readonly ConfigIssue[];

  /**
   * From the issues found. A bare message (with or without the `Invalid Portcullis config: `
   * prefix) is accepted too, for an issue whose option is unknown; it names the option `""`.
   */
  constructor(issues: ConfigIssue | readonly ConfigIssue[] | string, options?: ErrorOptions) {
    const list = listOf(issues);
    super(`${PREFIX}${list.map((issue) => issue.message).join("; ")}`, options);
    this.name = "ConfigError";
    this.option = (list[0] as ConfigIssue).option;
    this.issues = list;
  }
}

const PREFIX = "Invalid Portcullis config: ";

function listOf(issues: ConfigIssue | readonly ConfigIssue[] | string): readonly ConfigIssue[] {
  if (typeof issues === "string") {
    const message = issues.startsWith(PREFIX) ? issues.slice(PREFIX.length) : issues;
    return [{ option: "", message }];
  }
  const list = Array.isArray(issues) ? issues : [issues as ConfigIssue];
  if (list.length === 0) throw new TypeError("a ConfigError needs at least one issue");
  return list.map((issue: ConfigIssue) => ({ option: issue.option, message: issue.message }));
}
