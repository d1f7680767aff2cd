import { Counter } from 'prom-client';
import { createMetrics } from '@signalpost/observability';

/**
 * Creates the monitor's metrics: the shared set on a registry of its own,
 * plus `signalpost_monitor_checks_total{result}`.
 */
export function createMonitorMetrics() {
  const { registry } = createMetrics('monitor');
  const checks = new Counter({
    name: 'signalpost_monitor_checks_total',
    help: 'Health checks run by this monitor, by result (healthy, degraded, unhealthy).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  return { registry, checks };
}

/** The monitor's metrics. */
export type MonitorMetrics = ReturnType<typeof createMonitorMetrics>;
