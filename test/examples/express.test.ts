/** CI boots the Express starter (the one `npm start` serves) and walks it over HTTP. */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  describeStarter,
  requireBuild,
  SECRET,
  type Starter,
  scratchDir,
  startStarter,
} from "./starter.js";

describeStarter("express");

describe("examples/express: where a sign-in stopped at the second factor lands", () => {
  const scratch = scratchDir();
  let starter: Starter;
  beforeAll(async () => {
    requireBuild("index", "express", "sqlite", "client");
    starter = await startStarter("express", {
      AUTH_SECRET: SECRET,
      DATABASE_PATH: join(scratch.dir, "portcullis.db"),
    });
  });
  afterAll(async () => {
    await starter?.stop();
    scratch.remove();
  });

  // A magic link or "Sign in with ..." goes back to its page (any page, `?next=` of sign-in)
  // with `?mfa=required`: the code first, then that page, its own query kept.
  it("sends ?mfa=required on any page to the code, then back to that page on this site", async () => {
    const landing = async (path: string) => {
      const response = await fetch(`${starter.baseURL}${path}`, { redirect: "manual" });
      expect(response.status, path).toBe(303);
      const to = new URL(response.headers.get("location") ?? "", starter.baseURL);
      expect(to.pathname, path).toBe("/sign-in/two-factor");
      return to.searchParams.get("next");
    };
    expect(await landing("/account?mfa=required")).toBe("/account");
    expect(await landing("/?mfa=required")).toBe("/");
    expect(await landing("/account?provider=google&mfa=required")).toBe("/account?provider=google");
    expect(await landing("//evil.example/?mfa=required")).not.toContain("evil.example");
    const page = await fetch(`${starter.baseURL}/sign-in/two-factor?mfa=required`);
    expect(page.status).toBe(200);
  });
});
