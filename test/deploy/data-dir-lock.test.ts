import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
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

/** The pid of a process that has exited. */
const exitedPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid;

describe('the npm start data folder lock', () => {
  let dir: string;
  const lockText = (): string =>
    readFileSync(path.join(dir, LOCK_FILE), 'utf8');

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'signalpost-lock-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the pid and removes it on release', () => {
    const lock = lockDataDir(dir);

    expect(lockText()).toBe(`${process.pid}\n`);
    lock.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects a second holder while the first runs', () => {
    const lock = lockDataDir(dir);
    // The parent of this test process is running too, so it plays the second run.
    const attempt = (): unknown => lockDataDir(dir, process.ppid);

    expect(attempt).toThrow(DataDirInUseError);
    expect(attempt).toThrow(`(pid ${process.pid}), is using ${dir}`);
    lock.release();
  });

  it('takes over the lock of a process that has exited', () => {
    writeFileSync(path.join(dir, LOCK_FILE), `${exitedPid()}\n`);

    const lock = lockDataDir(dir);

    expect(lockText()).toBe(`${process.pid}\n`);
    lock.release();
  });

  it('takes over an unreadable lock', () => {
    writeFileSync(path.join(dir, LOCK_FILE), 'not a pid\n');

    const lock = lockDataDir(dir);

    expect(lockText()).toBe(`${process.pid}\n`);
    lock.release();
  });

  it('lists the server pid beside the run', () => {
    const lock = lockDataDir(dir);

    lock.addServer(4242);

    expect(lockText()).toBe(`${process.pid}\n4242\n`);
    lock.release();
  });

  it('stays held while the server of a killed run runs', () => {
    // The run has exited, and its server (played by this test's parent) runs.
    writeFileSync(
      path.join(dir, LOCK_FILE),
      `${exitedPid()}\n${process.ppid}\n`,
    );

    expect(() => lockDataDir(dir)).toThrow(
      `(pid ${process.ppid}), is using ${dir}`,
    );
  });

  it('leaves a lock that another run took over', () => {
    const lock = lockDataDir(dir);
    writeFileSync(path.join(dir, LOCK_FILE), `${process.ppid}\n`);

    lock.release();

    expect(lockText()).toBe(`${process.ppid}\n`);
  });
});
