import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A real fbstab process (through tsx), with its JSON log lines collected. */
export interface ServiceProcess {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  /** Resolves once the process logged its ready line. */
  ready: Promise<void>;
  exited: Promise<number | null>;
}

export type WorkerProcess = ServiceProcess;

/**
 * Starts `node --import tsx <entry>` with LOG_LEVEL=debug and collects its log lines; `ready`
 * resolves on the first line `isReady` accepts.
 */
export function startServiceProcess(
  entry: string[],
  env: Record<string, string>,
  isReady: (line: Record<string, unknown>) => boolean,
): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...entry], {
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
        if (isReady(entry)) markReady();
      } catch {
        // not a log line
      }
    }
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null && stderr !== '')
        process.stderr.write(`${entry.join(' ')} stderr: ${stderr}\n`);
      resolve(code);
    }),
  );
  return { child, logs, ready, exited };
}

/** A real `npm run worker` process. */
export function startWorkerProcess(env: Record<string, string>): ServiceProcess {
  return startServiceProcess(['workers/experiment-worker.ts'], env, (line) => line.msg === 'workers ready');
}

/**
 * A real `npm start` process on 127.0.0.1:`env.PORT`. With API_PROCESSES > 1 it is a cluster,
 * ready once its primary logs that every process listens; a single process is ready once it does.
 */
export function startApiProcess(env: Record<string, string>): ServiceProcess {
  const group = Number(env.API_PROCESSES ?? 1) > 1;
  return startServiceProcess(['src/server.ts'], { HOST: '127.0.0.1', ...env }, (line) =>
    group
      ? line.msg === 'API processes listening'
      : typeof line.msg === 'string' && line.msg.startsWith('Server listening'),
  );
}
