import { memoryStorage } from "../../src/index.js";
import { outboxContract } from "../../src/testing/outbox.js";

outboxContract(() => memoryStorage());
