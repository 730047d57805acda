import { memoryStorage } from "../../src/index.js";
import { testStorage } from "../../src/testing/index.js";

const storage = memoryStorage();
testStorage(() => storage);
