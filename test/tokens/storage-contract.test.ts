import { memoryStorage } from "../../src/index.js";
import { refreshTokensContract } from "../../src/testing/refresh-tokens.js";
import { revocationsContract } from "../../src/testing/revocations.js";

refreshTokensContract(() => memoryStorage());
revocationsContract(() => memoryStorage());
