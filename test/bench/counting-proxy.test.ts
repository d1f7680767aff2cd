import net from 'node:net';
import { CountingProxy } from '../../bench/costs/counting-proxy';

// An echo server takes the place of Redis: the proxy relays bytes and does not
// read the protocol.
async function startEcho(): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return { server, port: address.port };
}

function exchange(socket: net.Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8')));
    socket.write(text);
  });
}

describe('CountingProxy', () => {
  let echo: { server: net.Server; port: number };
  let proxy: CountingProxy;

  beforeEach(async () => {
    echo = await startEcho();
    proxy = await CountingProxy.start(echo.port);
  });

  afterEach(async () => {
    await proxy.close();
    await new Promise((resolve) => echo.server.close(resolve));
  });

  it('relays bytes and counts each request flight', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    expect(await exchange(socket, 'PING\r\n')).toBe('PING\r\n');
    expect(await exchange(socket, 'GET a\r\n')).toBe('GET a\r\n');
    const counters = proxy.read();
    expect(counters.connections).toBe(1);
    expect(counters.requestFlights).toBe(2);
    expect(counters.requestBytes).toBe(13);
    expect(counters.responseBytes).toBe(13);
    socket.destroy();
  });

  it('records the local port of each upstream connection', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    await exchange(socket, 'x');
    expect(proxy.upstreamPorts.size).toBe(1);
    const [port] = [...proxy.upstreamPorts];
    expect(port).toBeGreaterThan(0);
    socket.destroy();
  });

  it('gives a redis URL on loopback', () => {
    expect(proxy.url).toBe(`redis://127.0.0.1:${proxy.port}`);
  });
});
