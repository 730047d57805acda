import { handlers } from "@/lib/auth";

// Every Portcullis route under /auth: sign-up, sign-in, sessions, magic links, passkeys...
export const { GET, POST, PATCH, DELETE, OPTIONS } = handlers;
