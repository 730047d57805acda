const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ENTITIES[char] as string);
}

/**
 * A tagged template that escapes every interpolated value, so a template cannot forget to:
 * html`<a href="${url}">${appName}</a>`.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) {
    out += escapeHtml(String(values[i] ?? "")) + (strings[i + 1] ?? "");
  }
  return out;
}

/** A subject is a header: no line breaks (header injection), no runaway length. */
export function oneLine(value: string, max = 200): string {
  return value
    .replace(/[\r\n\t\u2028\u2029]+/g, " ")
    .trim()
    .slice(0, max);
}
