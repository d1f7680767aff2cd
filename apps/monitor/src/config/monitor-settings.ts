import {
  ConfigError,
  type MonitoredService,
  type SignalpostConfig,
} from '@signalpost/config';

/** Defaults of the config file's `monitor` keys. */
export const MONITOR_DEFAULTS = Object.freeze({
  /** Time between two checks of one service. */
  intervalMs: 30_000,
  /** Deadline of one check, covering the connection, response and body. */
  timeoutMs: 10_000,
});

/** The config file's `monitor` section with its defaults filled in. */
export interface MonitorSettings {
  /** Services to check, each name unique. @defaultValue none */
  readonly services: readonly MonitoredService[];
  /** Time between two checks of one service. @defaultValue 30000 */
  readonly intervalMs: number;
  /** Deadline of one check. @defaultValue 10000 */
  readonly timeoutMs: number;
}

/**
 * Reads the monitor's settings from the config file, filling in defaults.
 * Throws {@link ConfigError} when two services share a name, because the
 * name identifies a service's schedule and its signals.
 */
export function readMonitorSettings(
  config: Pick<SignalpostConfig, 'file'>,
): MonitorSettings {
  const monitor = config.file.monitor ?? {};
  const services = monitor.services ?? [];
  rejectDuplicateNames(services);
  return Object.freeze({
    services,
    intervalMs: monitor.intervalMs ?? MONITOR_DEFAULTS.intervalMs,
    timeoutMs: monitor.timeoutMs ?? MONITOR_DEFAULTS.timeoutMs,
  });
}

function rejectDuplicateNames(services: readonly MonitoredService[]): void {
  const seen = new Set<string>();
  services.forEach((service, index) => {
    if (seen.has(service.name)) {
      throw new ConfigError(
        `monitor.services[${index}].name`,
        `duplicate service name ${JSON.stringify(service.name)}; give each service its own name`,
      );
    }
    seen.add(service.name);
  });
}
