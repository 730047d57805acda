/** What the test polls until `next start` answers (as the starters' checks do). */
export function GET() {
  return Response.json({ status: "ok" });
}
