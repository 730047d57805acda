import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy to a database that the test can cut and restore, on the same port: the way a
 * network partition or a database restart looks to the app's connection pool.
 */
export async function tcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  function listen(): Promise<void> {
    const listening = createServer((client) => {
      const upstream = connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    server = listening;
    return new Promise((resolve) =>
      listening.listen(port, "127.0.0.1", () => {
        port = (listening.address() as { port: number }).port;
        resolve();
      }),
    );
  }

  await listen();
  return {
    get port() {
      return port;
    },
    /** Refuses new connections and drops every open one. */
    async cut() {
      const closed = new Promise((resolve) => server?.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    restore: listen,
  };
}
