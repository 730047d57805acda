/*
 * The scenario as a program for Bun and Deno: the instance is built at module scope, as an app
 * builds it, and the report is printed on one marked line of stdout for the vitest file to read.
 */
import { REPORT_MARKER } from "../report.js";
import { runScenario, scenarioSetup } from "../scenario.js";

const setup = scenarioSetup();
const report = await runScenario(setup);
console.log(`${REPORT_MARKER}${JSON.stringify(report)}`);
