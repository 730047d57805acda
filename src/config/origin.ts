/** The origin of an absolute http(s) URL (`https://app.example.com`), or null for anything else. */
export function parseOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
  } catch {
    return null;
  }
}
