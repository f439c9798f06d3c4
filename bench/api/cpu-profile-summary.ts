// Summarises a V8 .cpuprofile (node --cpu-prof) by self time: the top functions, and the share
// of each origin (a package under node_modules, fbstab's own code, node's internals, GC, idle).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code comes from, in words a reader of the README recognises. */
function originOf(url: string, name: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)' || name === '(program)') return name;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg !== null) return pkg[1]!;
  if (url.startsWith('node:') || url === '') return 'node internals';
  const own = /\/(src|workers)\/(.+)$/.exec(url);
  return own !== null ? `fbstab ${own[1]}/${own[2]!.split('/')[0]}` : url;
}

export function summariseCpuProfile(
  path: string,
  top = 12,
): { busyMs: number; functions: [string, number][]; origins: [string, number][] } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map<string, number>();
  const origins = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    const origin = originOf(frame.url, frame.functionName);
    if (origin === '(idle)') continue;
    busyUs += us;
    origins.set(origin, (origins.get(origin) ?? 0) + us);
    const file = frame.url.replace(/^.*\/(node_modules|src|workers)\//, '$1/');
    const key = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const share = (entries: Map<string, number>) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => [key, us / busyUs] as [string, number]);
  return { busyMs: busyUs / 1000, functions: share(functions), origins: share(origins) };
}
