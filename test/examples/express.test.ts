/** CI boots the Express starter (the one `npm start` serves) and walks it over HTTP. */
import { describeStarter } from "./starter.js";

describeStarter("express");
