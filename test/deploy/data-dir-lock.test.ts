import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DataDirInUseError,
  LOCK_FILE,
  lockDataDir,
} from '../../scripts/data-dir-lock';

describe('the npm start data folder lock', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'signalpost-lock-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the pid and removes it on release', () => {
    const release = lockDataDir(dir);

    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe(
      `${process.pid}\n`,
    );
    release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('rejects a second holder while the first runs', () => {
    const release = lockDataDir(dir);
    // The parent of this test process is running too, so it plays the second run.
    const attempt = (): unknown => lockDataDir(dir, process.ppid);

    expect(attempt).toThrow(DataDirInUseError);
    expect(attempt).toThrow(`another npm start (pid ${process.pid})`);
    release();
  });

  it('takes over the lock of a process that has exited', () => {
    const exited = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(path.join(dir, LOCK_FILE), `${exited}\n`);

    const release = lockDataDir(dir);

    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe(
      `${process.pid}\n`,
    );
    release();
  });

  it('takes over an unreadable lock', () => {
    writeFileSync(path.join(dir, LOCK_FILE), 'not a pid\n');

    const release = lockDataDir(dir);

    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe(
      `${process.pid}\n`,
    );
    release();
  });

  it('leaves a lock that another run took over', () => {
    const release = lockDataDir(dir);
    writeFileSync(path.join(dir, LOCK_FILE), `${process.ppid}\n`);

    release();

    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe(
      `${process.ppid}\n`,
    );
  });
});
