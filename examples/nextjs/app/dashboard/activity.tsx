import { recentActivity } from "@/lib/activity";
import { instance } from "@/lib/auth";

/**
 * The signed-in user's last security events, newest first: a server component, so the audit log
 * is read on the server with the admin API, for this user only. React escapes every value (the
 * user agent is whatever the request said, an attacker's included).
 */
export async function RecentActivity({ userId }: { userId: string }) {
  const rows = await recentActivity(instance(), userId);
  return (
    <section>
      <h2>Recent security activity</h2>
      {rows.length === 0 ? (
        <p>Nothing yet.</p>
      ) : (
        <table id="activity">
          <thead>
            <tr>
              <th>When</th>
              <th>What</th>
              <th>From</th>
              <th>Browser</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-event={row.type}>
                <td>
                  <time dateTime={row.at}>{row.when}</time>
                </td>
                <td>{row.what}</td>
                <td>{row.ip ?? "—"}</td>
                <td title={row.userAgent ?? ""}>{row.browser}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
