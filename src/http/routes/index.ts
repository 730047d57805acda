import type { Route } from "../route.js";
import { accountRoutes } from "./account.js";
import { healthRoutes } from "./health.js";
import { sessionRoutes } from "./sessions.js";

/** Every route the handler serves, below basePath. */
export const routes: Route[] = [...accountRoutes, ...sessionRoutes, ...healthRoutes];
