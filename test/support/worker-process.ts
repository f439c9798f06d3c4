import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A real `npm run worker` process (through tsx), with its JSON log lines collected. */
export interface WorkerProcess {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  /** Resolves once the worker logged "workers ready". */
  ready: Promise<void>;
  exited: Promise<number | null>;
}

export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/experiment-worker.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let buffered = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'workers ready') markReady();
      } catch {
        // not a log line
      }
    }
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null && stderr !== '') process.stderr.write(`worker stderr: ${stderr}\n`);
      resolve(code);
    }),
  );
  return { child, logs, ready, exited };
}
