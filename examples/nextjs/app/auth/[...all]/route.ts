import { toNextHandler } from "portcullis/next";
import { auth } from "@/lib/auth";

// Every Portcullis route under /auth: sign-up, sign-in, sessions, magic links, passkeys...
export const { GET, POST, PATCH, DELETE, OPTIONS } = toNextHandler(auth);
