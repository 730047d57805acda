/**
 * The smallest Next.js app that runs `portcullis/next`'s authMiddleware on the edge runtime:
 * Next 16 runs `proxy.ts` on Node only, so this keeps the (deprecated, still supported)
 * `middleware.js`, which runs on the edge runtime. Built and served by ../next-edge.test.ts.
 */
export default {};
