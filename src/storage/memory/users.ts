import { AuthError } from "../../errors.js";
import type { User } from "../../types.js";
import type { NewUser, UserStore } from "../ports.js";
import { copyFlat } from "./copy.js";

/** A JSON round trip: what a database keeps of `metadata`, and a copy nobody else holds. */
const copyMetadata = (metadata: Record<string, unknown>): Record<string, unknown> =>
  JSON.parse(JSON.stringify(metadata));

/** A copy callers cannot mutate the stored user through, metadata included. */
const copyUser = (user: User): User => ({
  ...copyFlat(user),
  metadata: copyMetadata(user.metadata),
});

export function memoryUsers(
  onCreate: (userId: string, credentials: { passwordHash?: string }) => void,
  onDelete: (userId: string) => void,
): UserStore {
  const byId = new Map<string, User>();
  const idByEmail = new Map<string, string>();

  function claimEmail(email: string, userId: string): void {
    const holder = idByEmail.get(email.toLowerCase());
    if (holder !== undefined && holder !== userId) {
      throw new AuthError("email_taken", "An account with this email already exists");
    }
    idByEmail.set(email.toLowerCase(), userId);
  }

  return {
    async create(input: NewUser, credentials = {}) {
      const user: User = {
        ...input,
        metadata: copyMetadata(input.metadata ?? {}),
        updatedAt: input.createdAt,
        disabledAt: null,
      };
      // Runs without an await between check and write, so it is atomic within the process.
      claimEmail(user.email, user.id);
      byId.set(user.id, user);
      onCreate(user.id, credentials);
      return copyUser(user);
    },
    async findById(id) {
      const user = byId.get(id);
      return user ? copyUser(user) : null;
    },
    async findByEmail(email) {
      const id = idByEmail.get(email.toLowerCase());
      const user = id === undefined ? undefined : byId.get(id);
      return user ? copyUser(user) : null;
    },
    async update(id, patch) {
      const user = byId.get(id);
      if (!user) return null;
      // Copied before anything changes: a value JSON cannot hold throws here, changing nothing.
      const metadata = patch.metadata === undefined ? undefined : copyMetadata(patch.metadata);
      if (patch.email !== undefined && patch.email.toLowerCase() !== user.email.toLowerCase()) {
        claimEmail(patch.email, id);
        idByEmail.delete(user.email.toLowerCase());
      }
      const defined = Object.fromEntries(
        Object.entries(patch).filter(([, value]) => value !== undefined),
      ) as typeof patch;
      const updated: User = { ...user, ...defined };
      if (metadata !== undefined) updated.metadata = metadata;
      byId.set(id, updated);
      return copyUser(updated);
    },
    async delete(id) {
      const user = byId.get(id);
      if (!user) return;
      byId.delete(id);
      idByEmail.delete(user.email.toLowerCase());
      onDelete(id);
    },
    async list({ emailPrefix, afterEmail, limit }) {
      // startsWith, not a pattern: no character of the prefix is a wildcard.
      return [...idByEmail.entries()]
        .filter(([key]) => key.startsWith(emailPrefix))
        .filter(([key]) => afterEmail === undefined || key > afterEmail)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, limit)
        .map(([, id]) => copyUser(byId.get(id) as User));
    },
    async count({ createdSince }) {
      const users = [...byId.values()];
      return {
        total: users.length,
        verified: users.filter((user) => user.emailVerified).length,
        disabled: users.filter((user) => user.disabledAt !== null).length,
        createdSince: createdSince.map(
          (since) => users.filter((user) => user.createdAt >= since).length,
        ),
      };
    },
  };
}
