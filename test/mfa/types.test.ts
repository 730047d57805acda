import { describe, expectTypeOf, it } from "vitest";
import type { AuthApi, SecondFactorRequired, SignedIn, TokenSet } from "../../src/index.js";

/* Checked by tsc: the sign-in functions' results are unions that `mfaRequired` tells apart. */

describe("sign-in results", () => {
  it("narrow on mfaRequired to the session or the pending step", () => {
    const narrow = (result: Awaited<ReturnType<AuthApi["login"]>>) => {
      if (result.mfaRequired) {
        expectTypeOf(result).toEqualTypeOf<SecondFactorRequired>();
        expectTypeOf(result.mfaToken).toEqualTypeOf<string>();
      } else {
        expectTypeOf(result).toEqualTypeOf<SignedIn>();
        expectTypeOf(result.token).toEqualTypeOf<string>();
      }
    };
    expectTypeOf(narrow).toBeFunction();
    expectTypeOf<Awaited<ReturnType<AuthApi["issueTokens"]>>>().toEqualTypeOf<
      TokenSet | SecondFactorRequired
    >();
    expectTypeOf<Awaited<ReturnType<AuthApi["verifyMfa"]>>>().toExtend<SignedIn>();
  });
});
