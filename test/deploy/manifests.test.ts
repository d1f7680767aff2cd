import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { APP_BUNDLES, bundleFile } from '../../scripts/build';

const ROOT = path.resolve(__dirname, '../..');
const K8S_DIR = path.join(ROOT, 'k8s');
const KUSTOMIZATION = 'kustomization.yaml';
const SECRET_EXAMPLE = 'secret.example.yaml';
const CONFIG_MAP = 'signalpost-config';
const SECRET = 'signalpost-secrets';
const APPS = ['api', 'router', 'worker', 'monitor'] as const;
const WORKSPACE_DIRS = ['apps', 'packages'];
const BUNDLE_FILE = /^dist\/[a-z-]+\.js$/;
const DEFAULT_REDIS_PORT = 6379;

/** Seconds each pod gets after SHUTDOWN_GRACE_MS to close queues and connections. */
const CLOSE_MARGIN_SEC = 5;

type Labels = Record<string, string>;
type PortRef = string | number;

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Labels };
}

interface Probe {
  httpGet?: { path?: string; port?: PortRef };
}

interface Container {
  name: string;
  image?: string;
  command?: string[];
  envFrom?: Array<{
    configMapRef?: { name: string };
    secretRef?: { name: string };
  }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: {
    requests?: Record<string, string | number>;
    limits?: Record<string, string | number>;
  };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seccompProfile?: { type: string };
  };
  containers: Container[];
  volumes?: Array<{ name: string; emptyDir?: object }>;
}

interface Deployment extends Manifest {
  spec: {
    selector: { matchLabels?: Labels };
    template: { metadata: { labels?: Labels }; spec: PodSpec };
  };
}

interface ScaleTarget {
  apiVersion?: string;
  kind?: string;
  name: string;
}

interface HorizontalPodAutoscaler extends Manifest {
  spec: {
    scaleTargetRef: ScaleTarget;
    metrics?: Array<{
      type: string;
      resource?: { name: string; target: { type: string } };
    }>;
  };
}

interface ScaledObject extends Manifest {
  spec: {
    scaleTargetRef: ScaleTarget;
    minReplicaCount?: number;
    triggers: Array<{ type: string; metadata: Record<string, unknown> }>;
  };
}

interface Service extends Manifest {
  spec: {
    selector?: Labels;
    ports: Array<{ name?: string; port: number; targetPort?: PortRef }>;
  };
}

interface PodDisruptionBudget extends Manifest {
  spec: { selector: { matchLabels?: Labels } };
}

interface ConfigMap extends Manifest {
  data: Record<string, unknown>;
}

interface Secret extends Manifest {
  stringData?: Record<string, unknown>;
}

interface Kustomization {
  namespace?: string;
  resources: string[];
  images?: Array<{ name: string }>;
}

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  pull_policy?: string;
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  stop_grace_period?: string;
  deploy?: { replicas?: number };
  ports?: Array<string | { target: number; published?: string | number }>;
  healthcheck?: { test?: string | string[] };
  volumes?: string[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
}

interface PrometheusConfig {
  scrape_configs: Array<{
    dns_sd_configs?: Array<{ names: string[]; port?: number }>;
    static_configs?: Array<{ targets: string[] }>;
  }>;
}

interface Instruction {
  keyword: string;
  args: string;
}

interface ParsedFile {
  file: string;
  errors: string[];
  documents: unknown[];
}

const k8sFiles = readdirSync(K8S_DIR).filter((file) => file.endsWith('.yaml'));
const parsedK8s = k8sFiles.map(parseK8sFile);
const kustomization = parsedK8s.find((parsed) => parsed.file === KUSTOMIZATION)
  ?.documents[0] as Kustomization;
const manifests = parsedK8s
  .filter((parsed) => parsed.file !== KUSTOMIZATION)
  .flatMap((parsed) => parsed.documents as Manifest[]);
const compose = parse(readRepoFile('docker-compose.yml'), {
  merge: true,
}) as ComposeFile;
const prometheus = parse(
  readRepoFile('deploy/prometheus.yml'),
) as PrometheusConfig;
const dockerfile = parseDockerfile(readRepoFile('Dockerfile'));

describe('kustomize base', () => {
  it.each(k8sFiles)('parses %s without errors', (file) => {
    const parsed = parsedK8s.find((candidate) => candidate.file === file);

    expect(parsed?.errors).toEqual([]);
    expect(parsed?.documents.length).toBeGreaterThan(0);
  });

  it('lists only files that exist', () => {
    const missing = kustomization.resources.filter(
      (resource) => !existsSync(path.join(K8S_DIR, resource)),
    );

    expect(missing).toEqual([]);
  });

  it('lists every manifest but the secret example', () => {
    const expected = k8sFiles.filter(
      (file) => file !== KUSTOMIZATION && file !== SECRET_EXAMPLE,
    );

    expect([...kustomization.resources].sort()).toEqual(expected.sort());
  });

  it('deploys into the signalpost namespace', () => {
    const namespaces = manifestsOfKind<Manifest>('Namespace');

    expect(kustomization.namespace).toBe('signalpost');
    expect(namespaces.map((namespace) => namespace.metadata.name)).toEqual([
      'signalpost',
    ]);
  });

  it('stores every ConfigMap value as a string', () => {
    const values = Object.values(configMap().data);

    expect(values.filter((value) => typeof value !== 'string')).toEqual([]);
  });
});

describe('secret example', () => {
  const example = parsedK8s.find((parsed) => parsed.file === SECRET_EXAMPLE)
    ?.documents[0] as Secret | undefined;

  it('is kept out of the kustomize resources', () => {
    expect(example).toBeDefined();
    expect(kustomization.resources).not.toContain(SECRET_EXAMPLE);
  });

  it('defines the Secret that the Deployments load', () => {
    expect(example?.kind).toBe('Secret');
    expect(example?.metadata.name).toBe(SECRET);
  });

  it('contains a key=scope API key', () => {
    const keys = example?.stringData?.SIGNALPOST_API_KEYS;

    expect(keys).toMatch(/^[^=,\s]+=[a-z:]+(\+[a-z:]+)*$/);
  });
});

describe.each(APPS)('the %s Deployment', (app) => {
  const deployment = (): Deployment => findDeployment(app);
  const pod = (): PodSpec => deployment().spec.template.spec;
  const container = (): Container => appContainer(deployment());

  it('selects its own pod labels', () => {
    const selector = deployment().spec.selector.matchLabels ?? {};
    const labels = deployment().spec.template.metadata.labels ?? {};

    expect(Object.keys(selector).length).toBeGreaterThan(0);
    expect(labels).toMatchObject(selector);
  });

  it('runs its own app from the image', () => {
    const imageName = kustomization.images?.[0]?.name;

    expect(container().image?.split(':')[0]).toBe(imageName);
    expect(bundleOf(container().command)).toBe(`dist/${app}.js`);
  });

  it('runs the bundle without tsx', () => {
    expect(container().command?.[0]).toBe('node');
    expect(container().command).not.toContain('tsx');
  });

  it('names METRICS_PORT as its metrics port', () => {
    const metricsPort = Number(configValue('METRICS_PORT'));

    expect(resolvePort(container(), 'metrics')).toBe(metricsPort);
  });

  it('probes /readyz for readiness', () => {
    const probe = container().readinessProbe?.httpGet;

    expect(probe?.path).toBe('/readyz');
    expect(resolvePort(container(), probe?.port)).toBe(
      Number(configValue('METRICS_PORT')),
    );
  });

  it('probes /healthz for liveness', () => {
    const probe = container().livenessProbe?.httpGet;

    expect(probe?.path).toBe('/healthz');
    expect(resolvePort(container(), probe?.port)).toBe(
      Number(configValue('METRICS_PORT')),
    );
  });

  it.each(['cpu', 'memory'])('requests and limits %s', (resource) => {
    const request = container().resources?.requests?.[resource];
    const limit = container().resources?.limits?.[resource];

    expect(request).toBeDefined();
    expect(limit).toBeDefined();
    expect(quantity(limit)).toBeGreaterThanOrEqual(quantity(request));
  });

  it('allows SHUTDOWN_GRACE_MS plus 5 s to stop', () => {
    const graceSec = Number(configValue('SHUTDOWN_GRACE_MS')) / 1000;

    expect(pod().terminationGracePeriodSeconds).toBe(
      graceSec + CLOSE_MARGIN_SEC,
    );
  });

  it('loads the Secret after the ConfigMap', () => {
    const sources = container().envFrom ?? [];

    expect(sources[0]?.configMapRef?.name).toBe(CONFIG_MAP);
    expect(sources[1]?.secretRef?.name).toBe(SECRET);
  });

  it('runs as non-root without privilege escalation', () => {
    const context = container().securityContext;

    expect(pod().securityContext?.runAsNonRoot).toBe(true);
    expect(pod().securityContext?.runAsUser).not.toBe(0);
    expect(pod().securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
    expect(context?.allowPrivilegeEscalation).toBe(false);
    expect(context?.capabilities?.drop).toContain('ALL');
  });

  it('mounts writable /tmp on a read-only root', () => {
    const mount = container().volumeMounts?.find(
      (candidate) => candidate.mountPath === '/tmp',
    );
    const volume = pod().volumes?.find((item) => item.name === mount?.name);

    expect(container().securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(volume?.emptyDir).toBeDefined();
  });
});

describe('Services', () => {
  const services = manifestsOfKind<Service>('Service');

  it('route api port 80 to PORT', () => {
    const api = services.find((service) => service.metadata.name === 'api');
    const http = api?.spec.ports.find((port) => port.port === 80);

    expect(http).toBeDefined();
    expect(
      resolvePort(appContainer(findDeployment('api')), http?.targetPort),
    ).toBe(Number(configValue('PORT')));
  });

  it.each(services)(
    'select pods of a Deployment ($metadata.name)',
    (service) => {
      expect(
        deploymentsSelectedBy(service.spec.selector).length,
      ).toBeGreaterThan(0);
    },
  );

  it.each(services)(
    'target container ports that exist ($metadata.name)',
    (service) => {
      const unresolved = deploymentsSelectedBy(service.spec.selector).flatMap(
        (deployment) =>
          service.spec.ports.filter(
            (port) =>
              resolvePort(appContainer(deployment), port.targetPort) ===
              undefined,
          ),
      );

      expect(unresolved).toEqual([]);
    },
  );
});

describe('autoscaling', () => {
  const autoscalers = manifestsOfKind<HorizontalPodAutoscaler>(
    'HorizontalPodAutoscaler',
  );
  const scaledObject = (): ScaledObject => {
    const found = manifestsOfKind<ScaledObject>('ScaledObject');
    if (found.length !== 1)
      throw new Error(
        `found ${found.length} ScaledObjects in k8s/, expected 1`,
      );
    return found[0] as ScaledObject;
  };
  const redisTrigger = () =>
    scaledObject().spec.triggers.find((trigger) => trigger.type === 'redis');

  it('scales exactly api and router with HPAs', () => {
    const targets = autoscalers.map((hpa) => hpa.spec.scaleTargetRef.name);

    expect(targets.sort()).toEqual(['api', 'router']);
  });

  it('leaves the worker without an HPA', () => {
    const targets = autoscalers.map((hpa) => hpa.spec.scaleTargetRef.name);

    expect(targets).not.toContain('worker');
  });

  it.each(autoscalers)('scales $metadata.name on CPU utilization', (hpa) => {
    const cpu = hpa.spec.metrics?.find(
      (metric) => metric.resource?.name === 'cpu',
    );

    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef.kind).toBe('Deployment');
    expect(cpu?.type).toBe('Resource');
    expect(cpu?.resource?.target.type).toBe('Utilization');
  });

  it('scales the worker Deployment with KEDA', () => {
    expect(scaledObject().apiVersion).toBe('keda.sh/v1alpha1');
    expect(scaledObject().spec.scaleTargetRef.name).toBe('worker');
  });

  it('watches the prefixed deliveries wait list', () => {
    const prefix = configValue('SIGNALPOST_PREFIX');

    expect(redisTrigger()?.metadata.listName).toBe(`${prefix}:deliveries:wait`);
  });

  it('keeps at least one worker running', () => {
    expect(scaledObject().spec.minReplicaCount).toBeGreaterThanOrEqual(1);
  });

  it('reads the REDIS_URL host and port', () => {
    const addressKey = redisTrigger()?.metadata.addressFromEnv;
    const redisUrl = new URL(configValue('REDIS_URL'));
    const port = redisUrl.port || String(DEFAULT_REDIS_PORT);

    expect(typeof addressKey).toBe('string');
    expect(configValue(String(addressKey))).toBe(
      `${redisUrl.hostname}:${port}`,
    );
  });

  it('writes trigger metadata as strings', () => {
    const values = Object.values(redisTrigger()?.metadata ?? {});

    expect(values.length).toBeGreaterThan(0);
    expect(values.filter((value) => typeof value !== 'string')).toEqual([]);
    expect(Number(redisTrigger()?.metadata.listLength)).toBeGreaterThan(0);
  });
});

describe('PodDisruptionBudgets', () => {
  const budgets = manifestsOfKind<PodDisruptionBudget>('PodDisruptionBudget');

  it.each(['worker', 'api'])('cover the %s pods', (app) => {
    const labels = findDeployment(app).spec.template.metadata.labels ?? {};
    const covering = budgets.filter((budget) =>
      selects(budget.spec.selector.matchLabels, labels),
    );

    expect(covering.length).toBeGreaterThan(0);
  });
});

describe('docker-compose', () => {
  const redis = (): ComposeService => composeService('redis');

  it('runs Redis with AOF and noeviction', () => {
    const args = commandArgs(redis().command);

    expect(flagValue(args, '--appendonly')).toBe('yes');
    expect(flagValue(args, '--maxmemory-policy')).toBe('noeviction');
  });

  it('checks Redis health with redis-cli ping', () => {
    const test = commandArgs(redis().healthcheck?.test);

    expect(test).toEqual(expect.arrayContaining(['redis-cli', 'ping']));
  });

  it('keeps Redis data in a volume', () => {
    const volumes = redis().volumes ?? [];

    expect(volumes.some((volume) => volume.endsWith(':/data'))).toBe(true);
  });

  it('builds every app service from the one Dockerfile', () => {
    const builds = APPS.map((app) => {
      const service = composeService(app);
      return { build: service.build, image: service.image };
    });
    const first = builds[0];

    expect(first?.build).toMatchObject({
      context: '.',
      dockerfile: 'Dockerfile',
    });
    expect(builds.filter((build) => !isEqual(build, first))).toEqual([]);
  });

  it.each(APPS)('builds %s instead of pulling it', (app) => {
    expect(composeService(app).pull_policy).toBe('build');
  });

  it.each(APPS)('runs the bundle of %s', (app) => {
    expect(bundleOf(commandArgs(composeService(app).command))).toBe(
      `dist/${app}.js`,
    );
  });

  it.each(APPS)('runs %s without tsx', (app) => {
    const command = commandArgs(composeService(app).command);

    expect(command[0]).toBe('node');
    expect(command).not.toContain('tsx');
  });

  it('runs at least two workers', () => {
    expect(composeService('worker').deploy?.replicas).toBeGreaterThanOrEqual(2);
  });

  it.each(APPS)('gives %s SHUTDOWN_GRACE_MS plus 5 s to stop', (app) => {
    const service = composeService(app);
    const graceMs = Number(environmentOf(service).SHUTDOWN_GRACE_MS);
    const stopSec = durationSec(service.stop_grace_period ?? '');

    expect(graceMs).toBeGreaterThan(0);
    expect(stopSec).toBeGreaterThanOrEqual(graceMs / 1000 + CLOSE_MARGIN_SEC);
  });

  it.each(APPS)('starts %s after Redis is healthy', (app) => {
    const dependsOn = composeService(app).depends_on;

    expect(dependsOn).toMatchObject({
      redis: { condition: 'service_healthy' },
    });
  });

  it.each(APPS)('leaves SIGNALPOST_ALLOW_TARGETS unset for %s', (app) => {
    const environment = environmentOf(composeService(app));

    expect(environment).not.toHaveProperty('SIGNALPOST_ALLOW_TARGETS');
  });

  it('gives the API a demo key', () => {
    const keys = environmentOf(composeService('api')).SIGNALPOST_API_KEYS;

    expect(keys).toMatch(/^[^=,\s]+=admin$/);
  });

  it('publishes API port 8080', () => {
    const ports = publishedPorts(composeService('api'));

    expect(ports).toContainEqual({ host: '8080', container: '8080' });
  });

  it("scrapes every app's metrics port", () => {
    const mounts = composeService('prometheus').volumes ?? [];
    const scraped = prometheus.scrape_configs.flatMap((job) =>
      (job.dns_sd_configs ?? [])
        .filter((discovery) => discovery.port === 9464)
        .flatMap((discovery) => discovery.names),
    );

    expect(
      mounts.some((mount) => mount.startsWith('./deploy/prometheus.yml:')),
    ).toBe(true);
    expect(scraped).toEqual(expect.arrayContaining([...APPS]));
  });
});

describe('Dockerfile', () => {
  const stages = splitStages(dockerfile);
  const finalStage = (): Instruction[] => stages[stages.length - 1] ?? [];
  const depsStage = (): Instruction[] =>
    stages.find((stage) => stage.some(isNpmCi)) ?? [];
  const buildStage = (): Instruction[] =>
    stages.find((stage) => stage.some(isNpmRunBuild)) ?? [];

  it('builds in at least two stages', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
  });

  it('installs runtime dependencies only', () => {
    const install = depsStage().find(isNpmCi);

    expect(install?.args).toContain('--omit=dev');
  });

  it('copies workspace manifests before npm ci', () => {
    const stage = depsStage();
    const copied = stage
      .slice(0, stage.findIndex(isNpmCi))
      .filter((instruction) => instruction.keyword === 'COPY')
      .flatMap((instruction) => copySources(instruction.args));
    const expected = ['package.json', 'package-lock.json', ...workspaces()];

    expect(expected.filter((file) => !copied.includes(file))).toEqual([]);
  });

  it('runs the final stage in production mode', () => {
    const env = finalStage().filter((item) => item.keyword === 'ENV');

    expect(env.map((item) => item.args)).toContain('NODE_ENV=production');
  });

  it('runs the final stage as a non-root user', () => {
    const users = finalStage().filter((item) => item.keyword === 'USER');
    const user = users[users.length - 1]?.args.split(':')[0];

    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  it('starts the api bundle by default', () => {
    const cmd = finalStage().find((item) => item.keyword === 'CMD');
    const command = JSON.parse(cmd?.args ?? '[]') as string[];

    expect(bundleOf(command)).toBe('dist/api.js');
    expect(command).not.toContain('tsx');
  });

  it('bundles the apps with dev dependencies installed', () => {
    const stage = buildStage();
    const install = stage.findIndex(isNpmCi);
    const build = stage.findIndex(isNpmRunBuild);

    expect(install).toBeGreaterThanOrEqual(0);
    expect(stage[install]?.args).not.toContain('--omit=dev');
    expect(build).toBeGreaterThan(install);
  });

  it('copies dist from the build stage into the final stage', () => {
    const name = stageName(buildStage());
    const copies = finalStage()
      .filter((item) => item.keyword === 'COPY')
      .map((item) => item.args);

    expect(name).toBeDefined();
    expect(copies).toContain(`--from=${name} /app/dist ./dist`);
  });

  it('ignores host node_modules', () => {
    const ignored = readRepoFile('.dockerignore').split('\n');

    expect(ignored).toContain('**/node_modules');
  });
});

describe('app bundles', () => {
  const built = APP_BUNDLES.map((entry) => ({
    ...entry,
    file: path.relative(ROOT, bundleFile(entry.name)),
  }));

  it.each(referencedBundles())('%s is one the build writes', (file) => {
    expect(built.map((entry) => entry.file)).toContain(file);
  });

  it.each(built)('$file is built from a source that exists', (entry) => {
    expect(existsSync(path.join(ROOT, entry.source))).toBe(true);
  });
});

function readRepoFile(relativePath: string): string {
  return readFileSync(path.join(ROOT, relativePath), 'utf8');
}

function parseK8sFile(file: string): ParsedFile {
  const documents = parseAllDocuments(
    readFileSync(path.join(K8S_DIR, file), 'utf8'),
  );
  return {
    file,
    errors: documents.flatMap((document) =>
      document.errors.map((error) => error.message),
    ),
    documents: documents.map((document) => document.toJS() as unknown),
  };
}

function manifestsOfKind<T extends Manifest>(kind: string): T[] {
  return manifests.filter((manifest) => manifest.kind === kind) as T[];
}

function findDeployment(name: string): Deployment {
  const found = manifestsOfKind<Deployment>('Deployment').find(
    (deployment) => deployment.metadata.name === name,
  );
  if (!found) throw new Error(`Deployment ${name} not found in k8s/`);
  return found;
}

function appContainer(deployment: Deployment): Container {
  const containers = deployment.spec.template.spec.containers;
  const found = containers.find(
    (item) => item.name === deployment.metadata.name,
  );
  if (!found) {
    throw new Error(
      `container ${deployment.metadata.name} not found in its Deployment`,
    );
  }
  return found;
}

function configMap(): ConfigMap {
  const found = manifestsOfKind<ConfigMap>('ConfigMap').find(
    (candidate) => candidate.metadata.name === CONFIG_MAP,
  );
  if (!found) throw new Error(`ConfigMap ${CONFIG_MAP} not found in k8s/`);
  return found;
}

function configValue(key: string): string {
  const value = configMap().data[key];
  if (typeof value !== 'string') {
    throw new Error(`ConfigMap ${CONFIG_MAP} has no string value for ${key}`);
  }
  return value;
}

/** Returns the containerPort that a probe or Service port refers to. */
function resolvePort(
  container: Container,
  port: PortRef | undefined,
): number | undefined {
  const match = container.ports?.find(
    (candidate) => candidate.name === port || candidate.containerPort === port,
  );
  return match?.containerPort;
}

function selects(selector: Labels | undefined, labels: Labels): boolean {
  const pairs = Object.entries(selector ?? {});
  if (pairs.length === 0) return false;
  return pairs.every(([key, value]) => labels[key] === value);
}

function deploymentsSelectedBy(selector: Labels | undefined): Deployment[] {
  return manifestsOfKind<Deployment>('Deployment').filter((deployment) =>
    selects(selector, deployment.spec.template.metadata.labels ?? {}),
  );
}

/** Converts a Kubernetes quantity (`250m`, `1`, `256Mi`) to cores or bytes. */
function quantity(value: string | number | undefined): number {
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$/.exec(String(value));
  if (!match) return Number.NaN;
  const factors: Record<string, number> = {
    m: 0.001,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
  };
  return Number(match[1]) * (factors[match[2] ?? ''] ?? 1);
}

function bundleOf(command: string[] | undefined): string | undefined {
  return command?.find((arg) => BUNDLE_FILE.test(arg));
}

function referencedBundles(): string[] {
  const fromK8s = APPS.map((app) =>
    bundleOf(appContainer(findDeployment(app)).command),
  );
  const fromCompose = APPS.map((app) =>
    bundleOf(commandArgs(composeService(app).command)),
  );
  const cmd = splitStages(dockerfile)
    .at(-1)
    ?.find((item) => item.keyword === 'CMD');
  const fromImage = bundleOf(JSON.parse(cmd?.args ?? '[]'));
  const all = [...fromK8s, ...fromCompose, fromImage];
  return [...new Set(all.filter((file) => file !== undefined))].sort();
}

function composeService(name: string): ComposeService {
  const service = compose.services[name];
  if (!service)
    throw new Error(`service ${name} not found in docker-compose.yml`);
  return service;
}

function commandArgs(command: string | string[] | undefined): string[] {
  if (command === undefined) return [];
  return typeof command === 'string' ? command.split(/\s+/) : command;
}

function flagValue(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index === -1 ? undefined : args[index + 1];
}

function environmentOf(service: ComposeService): Record<string, unknown> {
  const environment = service.environment ?? {};
  if (!Array.isArray(environment)) return environment;
  return Object.fromEntries(
    environment.map((entry) => {
      const [key = '', ...value] = entry.split('=');
      return [key, value.join('=')];
    }),
  );
}

function publishedPorts(
  service: ComposeService,
): Array<{ host: string; container: string }> {
  return (service.ports ?? []).map((port) => {
    if (typeof port !== 'string') {
      return { host: String(port.published), container: String(port.target) };
    }
    const parts = port.split(':');
    const container = parts.at(-1) ?? '';
    return { host: parts.at(-2) ?? container, container };
  });
}

/** Converts a Compose duration (`30s`, `1m30s`, `1500ms`) to seconds. */
function durationSec(text: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0) return Number.NaN;
  return parts.reduce(
    (total, [, amount, unit]) =>
      total + Number(amount) * (units[unit ?? ''] ?? 0),
    0,
  );
}

function isEqual(left: unknown, right: unknown): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}

/** Splits a Dockerfile into instructions, joining continued lines. */
function parseDockerfile(text: string): Instruction[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

function splitStages(instructions: Instruction[]): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

function isNpmCi(instruction: Instruction): boolean {
  return instruction.keyword === 'RUN' && /\bnpm ci\b/.test(instruction.args);
}

function isNpmRunBuild(instruction: Instruction): boolean {
  return (
    instruction.keyword === 'RUN' && /\bnpm run build\b/.test(instruction.args)
  );
}

/** Returns the name a stage's `FROM <image> AS <name>` gives it. */
function stageName(stage: Instruction[]): string | undefined {
  const from = stage[0];
  if (from?.keyword !== 'FROM') return undefined;
  return /\bAS\s+(\S+)$/i.exec(from.args)?.[1];
}

/** Returns the sources of a shell-form COPY, without flags or destination. */
function copySources(args: string): string[] {
  const operands = args.split(/\s+/).filter((arg) => !arg.startsWith('--'));
  return operands.slice(0, -1);
}

function workspaces(): string[] {
  return WORKSPACE_DIRS.flatMap((dir) =>
    readdirSync(path.join(ROOT, dir))
      .map((name) => `${dir}/${name}/package.json`)
      .filter((file) => existsSync(path.join(ROOT, file))),
  );
}
