import type { Route } from "../route.js";
import { accountRoutes } from "./account.js";
import { accountManagementRoutes } from "./account-management.js";
import { adminRoutes } from "./admin.js";
import { discoveryRoutes } from "./discovery.js";
import { emailRoutes } from "./email.js";
import { healthRoutes } from "./health.js";
import { metricsRoutes } from "./metrics.js";
import { mfaRoutes } from "./mfa.js";
import { oauthRoutes } from "./oauth.js";
import { passkeyRoutes } from "./passkeys.js";
import { sessionRoutes } from "./sessions.js";
import { tokenRoutes } from "./tokens.js";

/** Every route the handler serves, below basePath. */
export const routes: Route[] = [
  ...accountRoutes,
  ...accountManagementRoutes,
  ...sessionRoutes,
  ...healthRoutes,
  ...metricsRoutes,
  ...passkeyRoutes,
  ...emailRoutes,
  ...tokenRoutes,
  ...discoveryRoutes,
  ...mfaRoutes,
  ...adminRoutes,
  ...oauthRoutes,
];
