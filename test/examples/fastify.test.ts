/** CI boots the Fastify starter and walks it over HTTP. */
import { describeStarter } from "./starter.js";

describeStarter("fastify");
