import { ConfigError } from '@signalpost/config';
import {
  MONITOR_DEFAULTS,
  readMonitorSettings,
} from '../src/config/monitor-settings';
import { monitorConfig } from './monitor-fixtures';

describe('readMonitorSettings', () => {
  it('fills in the default interval and timeout', () => {
    const settings = readMonitorSettings(monitorConfig('{unused}', {}));
    expect(settings).toEqual({
      services: [],
      intervalMs: 30_000,
      timeoutMs: 10_000,
    });
    expect(MONITOR_DEFAULTS).toEqual({ intervalMs: 30_000, timeoutMs: 10_000 });
  });

  it('reads the services, interval and timeout of the config file', () => {
    const services = [{ name: 'api', url: 'http://127.0.0.1:9/health' }];
    const config = monitorConfig('{unused}', {
      services,
      intervalMs: 5000,
      timeoutMs: 2000,
    });
    expect(readMonitorSettings(config)).toEqual({
      services,
      intervalMs: 5000,
      timeoutMs: 2000,
    });
  });

  it('reads a config without a monitor section', () => {
    expect(readMonitorSettings({ file: {} }).services).toEqual([]);
  });

  it('rejects two services with one name', () => {
    const config = monitorConfig('{unused}', {
      services: [
        { name: 'api', url: 'http://127.0.0.1:9/a' },
        { name: 'api', url: 'http://127.0.0.1:9/b' },
      ],
    });
    expect(() => readMonitorSettings(config)).toThrow(ConfigError);
    expect(() => readMonitorSettings(config)).toThrow(
      /monitor\.services\[1\]\.name: duplicate service name "api"/,
    );
  });
});
