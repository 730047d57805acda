// The load generator of the HTTP benches, in a process of its own (bench/lib/pinned.mjs forks
// it pinned to its core): runs autocannon with the options in argv[2] and sends the result back.
import autocannon from "autocannon";

const options = JSON.parse(process.argv[2]);
const result = await autocannon(options);
process.send(
  {
    requests: result.requests,
    latency: result.latency,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  },
  () => process.exit(0),
);
