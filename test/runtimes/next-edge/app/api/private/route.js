export function GET() {
  return Response.json({ reached: "api" });
}
