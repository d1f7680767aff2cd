import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { Agent, request } from 'undici';

import {
  NET_GUARD_ERROR_CODES,
  createGuardedConnector,
  createGuardedLookup,
  parseAllowTargets,
} from '@signalpost/net-guard';

describe('guarded connections to a local server', () => {
  let server: http.Server;
  let port: number;
  let requests = 0;
  let connections = 0;
  const agents: Agent[] = [];

  beforeAll(async () => {
    server = http.createServer((_request, response) => {
      requests += 1;
      response.end('ok');
    });
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', resolve),
    );
    port = (server.address() as AddressInfo).port;
  });

  beforeEach(() => {
    requests = 0;
    connections = 0;
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function agent(options: ConstructorParameters<typeof Agent>[0]): Agent {
    const created = new Agent(options);
    agents.push(created);
    return created;
  }

  async function fetchText(url: string, dispatcher: Agent): Promise<string> {
    const response = await request(url, { dispatcher });
    return response.body.text();
  }

  describe('with createGuardedLookup', () => {
    it('refuses localhost without allowed targets', async () => {
      const dispatcher = agent({
        connect: { lookup: createGuardedLookup([]) },
      });

      await expect(
        fetchText(`http://localhost:${port}/`, dispatcher),
      ).rejects.toMatchObject({ code: NET_GUARD_ERROR_CODES.targetRefused });
      expect(connections).toBe(0);
      expect(requests).toBe(0);
    });

    it('connects when loopback is allowed', async () => {
      const lookup = createGuardedLookup(parseAllowTargets('127.0.0.0/8'));
      const dispatcher = agent({ connect: { lookup } });

      const body = await fetchText(`http://localhost:${port}/`, dispatcher);

      expect(body).toBe('ok');
      expect(requests).toBe(1);
    });

    it('connects without autoSelectFamily', async () => {
      const lookup = createGuardedLookup(parseAllowTargets('127.0.0.0/8'));
      const dispatcher = agent({
        connect: { lookup, autoSelectFamily: false },
      });

      const body = await fetchText(`http://localhost:${port}/`, dispatcher);

      expect(body).toBe('ok');
    });

    it('refuses without autoSelectFamily', async () => {
      const lookup = createGuardedLookup([]);
      const dispatcher = agent({
        connect: { lookup, autoSelectFamily: false },
      });

      await expect(
        fetchText(`http://localhost:${port}/`, dispatcher),
      ).rejects.toMatchObject({ code: NET_GUARD_ERROR_CODES.targetRefused });
      expect(connections).toBe(0);
    });
  });

  describe('with createGuardedConnector', () => {
    it('refuses an IP literal, which skips the lookup', async () => {
      const dispatcher = agent({ connect: createGuardedConnector([]) });

      await expect(
        fetchText(`http://127.0.0.1:${port}/`, dispatcher),
      ).rejects.toMatchObject({ code: NET_GUARD_ERROR_CODES.targetRefused });
      expect(connections).toBe(0);
    });

    it('connects on the port an allowed target names', async () => {
      const rules = parseAllowTargets(`127.0.0.0/8:${port}`);
      const dispatcher = agent({ connect: createGuardedConnector(rules) });

      expect(await fetchText(`http://localhost:${port}/`, dispatcher)).toBe(
        'ok',
      );
      expect(await fetchText(`http://127.0.0.1:${port}/`, dispatcher)).toBe(
        'ok',
      );
    });

    it('refuses a port that no allowed target names', async () => {
      const otherPort = port === 65_535 ? port - 1 : port + 1;
      const rules = parseAllowTargets(`127.0.0.0/8:${otherPort}`);
      const dispatcher = agent({ connect: createGuardedConnector(rules) });

      await expect(
        fetchText(`http://localhost:${port}/`, dispatcher),
      ).rejects.toMatchObject({ code: NET_GUARD_ERROR_CODES.targetRefused });
      expect(connections).toBe(0);
    });
  });
});
