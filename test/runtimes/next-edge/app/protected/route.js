/** Reached only through the middleware; the route itself checks nothing (a fixture). */
export function GET() {
  return Response.json({ reached: "protected" });
}
