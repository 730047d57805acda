/**
 * Two-factor authentication in a starter's pages, in Chromium, as a person does it with an
 * authenticator app (`otpauth` from npm, fed the key the page shows): confirm the address, "Set
 * up two-factor authentication", the QR code (which must encode the set-up's otpauth:// URI) and
 * the key, the code that turns it on, the recovery codes shown once, then a password sign-in
 * that asks for the code, one answered with a recovery code, new recovery codes, and off.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import * as OTPAuth from "otpauth";
import qrcode from "qrcode-generator";
import { expect } from "vitest";
import { type Browser, mailedLink } from "./browser.js";

/** The dark modules of a QR code drawn as qrcode-generator's SVG path (`M x,y` per module). */
function modulesOf(svg: string): Set<string> {
  const corners = [...svg.matchAll(/M(\d+),(\d+)/g)].map(([, x, y]) => [Number(x), Number(y)]);
  const xs = [...new Set(corners.map(([x]) => x as number))].sort((a, b) => a - b);
  // The finder pattern puts dark modules side by side in the first row: the smallest step
  // between two columns is one module, and the first column is the margin.
  const margin = xs[0] as number;
  const cell = Math.min(...xs.slice(1).map((x, i) => x - (xs[i] as number)));
  return new Set(
    corners.map(
      ([x, y]) => `${((y as number) - margin) / cell},${((x as number) - margin) / cell}`,
    ),
  );
}

/**
 * Whether the SVG shows the QR code of `text`: the same dark modules as qrcode-generator makes
 * for it here, at one of the four error correction levels.
 */
function encodes(svg: string, text: string): boolean {
  const shown = modulesOf(svg);
  return (["L", "M", "Q", "H"] as const).some((level) => {
    const qr = qrcode(0, level);
    qr.addData(text);
    qr.make();
    const expected = new Set<string>();
    const size = qr.getModuleCount();
    for (let row = 0; row < size; row++) {
      for (let col = 0; col < size; col++) if (qr.isDark(row, col)) expected.add(`${row},${col}`);
    }
    return expected.size === shown.size && [...expected].every((module) => shown.has(module));
  });
}

/** The code of the step `steps` away from now, from the key as typed in by hand. */
const codeOf = (secret: string, steps = 0) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({
    timestamp: Date.now() + steps * 30_000,
  });

/**
 * The walk. `signedInPath` is the starter's protected page (`/account`, `/dashboard`); `output`
 * its console, where the console mailer prints the confirmation link; `screenshot`, where to keep
 * a picture of the set-up (QR code and key).
 */
export async function twoFactorInBrowser(
  browser: Browser,
  options: {
    origin: string;
    password: string;
    output: () => string;
    signedInPath: string;
    screenshot?: string;
  },
) {
  const { page, context } = browser;
  const { origin, password, output, signedInPath, screenshot } = options;
  const email = `two-factor-browser-${Date.now()}@example.com`;
  const at = (path: string) => `${origin}${path}`;
  const signedInAt = (url: URL) => url.origin === origin && url.pathname === signedInPath;
  await context.clearCookies();

  await page.goto(at("/sign-up"));
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL(signedInAt), page.press('input[name="password"]', "Enter")]);

  // The address first: the set-up waits for it.
  await page.getByRole("button", { name: "Email me a confirmation link" }).click();
  await page.getByText("A confirmation link is on its way").waitFor();
  await page.goto(await mailedLink(output, "email-verification", email));
  await page.goto(at(signedInPath));

  // Set up: the QR code is the set-up's URI, drawn in the page; the key beside it is its secret.
  const [setupAnswer] = await Promise.all([
    page.waitForResponse((response) => response.url().endsWith("/auth/mfa/totp/setup")),
    page.getByRole("button", { name: "Set up two-factor authentication" }).click(),
  ]);
  const { uri } = (await setupAnswer.json()) as { uri: string };
  await page.locator("#mfa-qr").waitFor();
  const secret = ((await page.locator("#mfa-secret").textContent()) ?? "").replace(/\s/g, "");
  expect(secret).toBe((OTPAuth.URI.parse(uri) as OTPAuth.TOTP).secret.base32);
  const source = (await page.locator("#mfa-qr").getAttribute("src")) ?? "";
  expect(source.startsWith("data:image/svg+xml,")).toBe(true);
  const svg = decodeURIComponent(source.slice("data:image/svg+xml,".length));
  expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  expect(encodes(svg, uri)).toBe(true);
  expect(encodes(svg, uri.replace(secret, "A".repeat(secret.length)))).toBe(false);
  if (screenshot) {
    mkdirSync(dirname(screenshot), { recursive: true });
    await page.locator("#two-factor").screenshot({ path: screenshot });
  }
  // Drawn in the page: no request carried the secret anywhere after the set-up's answer.
  const leaks: string[] = [];
  page.on("request", (request) => {
    if (`${request.url()} ${request.postData() ?? ""}`.includes(secret)) leaks.push(request.url());
  });

  await page.fill('input[name="code"]', codeOf(secret, -1));
  await page.getByRole("button", { name: "Turn on" }).click();
  const codes = page.locator("#mfa-recovery-codes li");
  await codes.first().waitFor();
  expect(await codes.count()).toBe(10);
  const recoveryCodes = (await codes.allTextContents()).map((code) => code.trim());
  expect(recoveryCodes.every((code) => /^[0-9a-z]{5}-[0-9a-z]{5}$/.test(code))).toBe(true);
  await page.getByRole("button", { name: "I saved them" }).click();
  // Shown once: then the page says how many are left and shows none of them. (The server-rendered
  // starters reload the page: its scripts must have run before the next click.)
  await page.getByText(/Recovery codes left: ?10/).waitFor();
  await page.waitForLoadState("load");
  const body = (await page.locator("body").textContent()) ?? "";
  for (const code of recoveryCodes) expect(body).not.toContain(code);
  expect(body).not.toContain(secret);
  expect(leaks).toEqual([]);

  // Sign out, sign in with the password: the second-factor page, then the protected page.
  const signIn = async () => {
    await context.clearCookies();
    await page.goto(at("/sign-in"));
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', password);
    await Promise.all([
      page.waitForURL((url) => url.pathname === "/sign-in/two-factor"),
      page.press('input[name="password"]', "Enter"),
    ]);
    await page.getByText("Enter the 6-digit code from your authenticator app").waitFor();
    const cookies = (await context.cookies(origin)).map((cookie) => cookie.name);
    expect(cookies).not.toContain("portcullis.session");
  };
  await page.getByRole("button", { name: "Sign out" }).first().click();
  await page.waitForURL((url) => !signedInAt(url));
  await signIn();
  const wrong = codeOf(secret, 0) === "000000" ? "111111" : "000000";
  await page.fill('input[name="code"]', wrong);
  await page.press('input[name="code"]', "Enter");
  await page.getByText("That code is not right").waitFor();
  await page.fill('input[name="code"]', codeOf(secret, 0));
  await Promise.all([page.waitForURL(signedInAt), page.press('input[name="code"]', "Enter")]);
  await page.getByText(email).first().waitFor();
  expect((await context.cookies(origin)).map((cookie) => cookie.name)).toContain(
    "portcullis.session",
  );

  // Or a recovery code, once.
  await signIn();
  await page.getByText("Use a recovery code instead").click();
  await page.fill('input[name="recoveryCode"]', recoveryCodes[0] as string);
  await Promise.all([
    page.waitForURL(signedInAt),
    page.press('input[name="recoveryCode"]', "Enter"),
  ]);
  await page.getByText(/Recovery codes left: ?9/).waitFor();
  await page.waitForLoadState("load");

  // New recovery codes for a code (the next step's: the last two were spent), shown once; then
  // off with one of them.
  await page.fill('input[name="code"]', codeOf(secret, 1));
  await page.getByRole("button", { name: "Regenerate recovery codes" }).click();
  await codes.first().waitFor();
  const fresh = (await codes.allTextContents()).map((code) => code.trim());
  expect(fresh).toHaveLength(10);
  expect(fresh.some((code) => recoveryCodes.includes(code))).toBe(false);
  await page.getByRole("button", { name: "I saved them" }).click();
  await page.getByText(/Recovery codes left: ?10/).waitFor();
  await page.waitForLoadState("load");
  await page.fill('input[name="factor"]', fresh[0] as string);
  await page.getByRole("button", { name: "Turn off" }).click();
  await page.getByRole("button", { name: "Set up two-factor authentication" }).waitFor();
}
