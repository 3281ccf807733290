/**
 * A TCP proxy on 127.0.0.1 for cutting connections for real: in front of the sync server
 * (drop the connection after the server committed, as its reply starts to come back) or
 * in front of PostgreSQL (stop it: every connection cut, new ones refused, until start()).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  url: string;
  /** Where new connections go (the server behind may be replaced, say after a restore). */
  setTarget(port: number): void;
  /**
   * The next response to a request whose first line contains `requestLine` is cut after
   * its first byte: the server has done the work, the client never hears of it.
   */
  cutNextResponse(requestLine: string): Promise<void>;
  /** Cuts every connection and refuses new ones. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<TcpProxy> {
  let target = targetPort;
  const sockets = new Set<Socket>();
  let cut: { line: string; done: () => void } | null = null;
  let server: Server;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(target, '127.0.0.1');
        sockets.add(client);
        sockets.add(upstream);
        let marked = false;
        client.on('data', (chunk: Buffer) => {
          if (cut && chunk.toString('latin1').split('\r\n', 1)[0]?.includes(cut.line)) marked = true;
          upstream.write(chunk);
        });
        upstream.on('data', (chunk: Buffer) => {
          if (marked && cut) {
            const { done } = cut;
            cut = null;
            client.write(chunk.subarray(0, 1));
            client.destroy();
            upstream.destroy();
            done();
            return;
          }
          client.write(chunk);
        });
        const end = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('close', end);
        upstream.on('close', end);
        client.on('error', end);
        upstream.on('error', end);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        port = typeof address === 'object' && address ? address.port : port;
        resolve();
      });
    });
  await listen();

  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      server.close(() => resolve());
    });

  return {
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    setTarget(next) {
      target = next;
    },
    cutNextResponse(line) {
      return new Promise((resolve) => {
        cut = { line, done: resolve };
      });
    },
    stop,
    start: listen,
    close: stop,
  };
}
