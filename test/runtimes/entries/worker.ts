/*
 * The scenario as a Worker (modules syntax). The instance is built at module scope, where
 * workerd forbids randomness, timers and I/O: what createAuth does there must not need them.
 * One request runs the scenario and answers the report.
 */
import { runScenario, scenarioSetup } from "../scenario.js";

const setup = scenarioSetup();

export default {
  async fetch(): Promise<Response> {
    return Response.json(await runScenario(setup));
  },
};
