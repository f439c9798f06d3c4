import { execFileSync, execSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';

/** One Dockerfile instruction: its keyword (upper case) and the rest of its (joined) line. */
export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  base: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages; continuation lines are joined and comments dropped. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full === '') continue;
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(full) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const [base = '', as, name] = args.split(/\s+/);
      stages.push({ base, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (stage === undefined) throw new Error(`${op} before FROM`);
      stage.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

/** COPY's flags (`--from=`, `--chown=`) and its sources and destination, in either form. */
export function parseCopy(args: string): { flags: Record<string, string>; sources: string[]; dest: string } {
  const flags: Record<string, string> = {};
  let rest = args;
  for (let m = /^--(\w+)=(\S+)\s+/.exec(rest); m !== null; m = /^--(\w+)=(\S+)\s+/.exec(rest)) {
    flags[m[1]!] = m[2]!;
    rest = rest.slice(m[0].length);
  }
  const parts = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  const dest = parts.pop();
  if (dest === undefined || parts.length === 0)
    throw new Error(`COPY ${args}: needs a source and a destination`);
  return { flags, sources: parts, dest };
}

/** The exec form (`["node", "x.js"]`) of CMD, ENTRYPOINT or HEALTHCHECK … CMD, as argv. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  return JSON.parse(json) as string[];
}

/** .dockerignore patterns as a predicate on context paths (`*`, `**`, `?`, `!` negation). */
function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const glob = posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, ''));
      const source = glob
        .split(/(\*\*\/?|\*|\?)/)
        .map((part) =>
          part === '**/' || part === '**'
            ? '(?:.*/)?'
            : part === '*'
              ? '[^/]*'
              : part === '?'
                ? '[^/]'
                : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
        )
        .join('');
      // A pattern that names a folder excludes everything below it.
      return { negate, re: new RegExp(`^${source}(?:/.*)?$`) };
    });
  return (path) => {
    let ignored = false;
    for (const rule of rules) if (rule.re.test(path)) ignored = !rule.negate;
    return ignored;
  };
}

/**
 * The build context a clone sends to `docker build`: the files git knows (tracked, or new and
 * not ignored) that exist, less those .dockerignore excludes. `overrides` replace or remove
 * (null) files, to try a changed build config.
 */
export function buildContext(
  root: string,
  overrides: Record<string, string | null> = {},
): Map<string, string> {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((p) => p !== '' && existsSync(join(root, p)));
  const ignored = existsSync(join(root, '.dockerignore'))
    ? dockerignore(readFileSync(join(root, '.dockerignore'), 'utf8'))
    : () => false;
  const context = new Map<string, string>();
  for (const path of listed) if (!ignored(path)) context.set(path, readFileSync(join(root, path), 'latin1'));
  for (const [path, content] of Object.entries(overrides)) {
    if (content === null) context.delete(path);
    else context.set(path, content);
  }
  return context;
}

/** Where a stage's file system is laid out on this machine: its WORKDIR maps to `dir`. */
interface StageDir {
  dir: string;
  workdir: string;
}

function localPath(stage: StageDir, containerPath: string): string {
  const absolute = posix.resolve(stage.workdir, containerPath);
  if (absolute !== stage.workdir && !absolute.startsWith(`${stage.workdir}/`))
    throw new Error(`${containerPath}: outside the stage's WORKDIR ${stage.workdir}; extend this simulation`);
  return join(stage.dir, posix.relative(stage.workdir, absolute));
}

/** COPY from the build context, with Docker's rules for folders and destinations. */
function copyFromContext(context: Map<string, string>, sources: string[], dest: string, stage: StageDir) {
  const intoFolder = dest.endsWith('/') || dest === '.' || sources.length > 1;
  for (const source of sources) {
    const src = posix.normalize(source).replace(/\/$/, '');
    if (/[*?[]/.test(src)) throw new Error(`COPY ${source}: wildcards are not simulated; extend this test`);
    const files = [...context.keys()].filter((p) => p === src || p.startsWith(`${src}/`));
    if (files.length === 0) throw new Error(`COPY ${source}: no such file or folder in the build context`);
    for (const file of files) {
      const target =
        file === src
          ? intoFolder
            ? posix.join(dest, posix.basename(file))
            : dest
          : posix.join(dest, posix.relative(src, file)); // a folder's contents go into dest
      const local = localPath(stage, target);
      mkdirSync(dirname(local), { recursive: true });
      writeFileSync(local, context.get(file)!, 'latin1');
    }
  }
}

export interface SimulatedImage {
  /** The build stage's /app after its steps. */
  buildDir: string;
  /** The runtime stage's /app: what the image runs. */
  runtimeDir: string;
  runtime: Stage;
  /** Whether the build stage pruned devDependencies (checked statically: see prodImports). */
  pruned: boolean;
  /** The runtime stage's RUN steps, which install system packages and are not run here. */
  systemSteps: string[];
}

/**
 * Runs a two-stage Dockerfile without a Docker engine: the build stage's COPY steps take exactly
 * the files it names from the context into an empty folder, and its RUN steps run there; the
 * runtime stage's COPY steps then assemble a second folder from the context and the build folder.
 *
 * `npm ci` is not run (minutes): after checking that package.json and package-lock.json were
 * copied, node_modules is a symlink to the repository's, installed from the same lockfile. A
 * missing COPY of a source file still fails, which is what this is for. `npm prune --omit=dev`
 * cannot run on that shared folder; instead prodImports() checks that what dist/ imports is a
 * production dependency.
 */
export function simulateDockerBuild(
  root: string,
  options: { dockerfile?: string; overrides?: Record<string, string | null> } = {},
): SimulatedImage {
  const stages = parseDockerfile(options.dockerfile ?? readFileSync(join(root, 'Dockerfile'), 'utf8'));
  if (stages.length !== 2) throw new Error(`expected a build and a runtime stage, found ${stages.length}`);
  const [build, runtime] = stages as [Stage, Stage];
  const context = buildContext(root, options.overrides);
  const scratch = mkdtempSync(join(tmpdir(), 'fbstab-image-'));
  const built: StageDir = { dir: join(scratch, 'build'), workdir: '/' };
  mkdirSync(built.dir);
  let pruned = false;
  for (const { op, args } of build.instructions) {
    if (op === 'WORKDIR') built.workdir = posix.resolve(built.workdir, args);
    else if (op === 'COPY') {
      const { flags, sources, dest } = parseCopy(args);
      if (flags.from !== undefined) throw new Error(`build stage COPY --from is not simulated`);
      copyFromContext(context, sources, dest, built);
    } else if (op === 'RUN') {
      for (const command of args.split('&&').map((c) => c.trim())) {
        if (/^printf .*> \/tmp\/extra-ca\.pem$/.test(command)) continue; // a proxy's CA: nothing to run here
        if (/^(?:\w+=\S+\s+)*npm ci\b/.test(command)) {
          for (const f of ['package.json', 'package-lock.json'])
            if (!existsSync(join(built.dir, f))) throw new Error(`npm ci: ${f} was not copied before it`);
          symlinkSync(join(root, 'node_modules'), join(built.dir, 'node_modules'));
        } else if (command === 'npm prune --omit=dev') pruned = true;
        else if (command === 'npm run build') {
          try {
            execSync(command, { cwd: built.dir, encoding: 'utf8', stdio: 'pipe' });
          } catch (error) {
            const { stdout, stderr } = error as { stdout?: string; stderr?: string };
            throw new Error(`build step \`${command}\` failed:\n${stdout ?? ''}${stderr ?? ''}`);
          }
        } else throw new Error(`build step \`${command}\` is not simulated; extend this test`);
      }
    } else if (!['ENV', 'ARG', 'LABEL'].includes(op)) throw new Error(`build stage ${op} is not simulated`);
  }

  const image: StageDir = { dir: join(scratch, 'runtime'), workdir: '/' };
  mkdirSync(image.dir);
  const systemSteps: string[] = [];
  for (const { op, args } of runtime.instructions) {
    if (op === 'WORKDIR') image.workdir = posix.resolve(image.workdir, args);
    else if (op === 'RUN') systemSteps.push(args);
    else if (op === 'COPY') {
      const { flags, sources, dest } = parseCopy(args);
      if (flags.from === undefined) copyFromContext(context, sources, dest, image);
      else {
        if (flags.from !== build.name) throw new Error(`COPY --from=${flags.from}: no such stage`);
        for (const source of sources) {
          const from = localPath(built, source);
          if (!existsSync(from))
            throw new Error(`COPY --from=${flags.from} ${source}: the build made no such path`);
          const to = localPath(image, dest.endsWith('/') ? posix.join(dest, posix.basename(source)) : dest);
          mkdirSync(dirname(to), { recursive: true });
          cpSync(from, to, { recursive: true, verbatimSymlinks: true });
        }
      }
    }
  }
  return { buildDir: built.dir, runtimeDir: image.dir, runtime, pruned, systemSteps };
}

/**
 * The packages that the JavaScript under `dir` imports (static and dynamic imports of bare
 * specifiers, less node's built-ins) and that are not production dependencies in package.json:
 * what `npm prune --omit=dev` would leave the image without.
 */
export function importsOutsideDependencies(dir: string, packageJson: string): string[] {
  const dependencies = Object.keys(
    (JSON.parse(readFileSync(packageJson, 'utf8')) as { dependencies?: Record<string, string> })
      .dependencies ?? {},
  );
  const missing = new Set<string>();
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
  for (const file of files) {
    const code = readFileSync(join(dir, file), 'utf8');
    // Import and export declarations start a line (tsc prints them so) and run to their `;`; a
    // string that merely says "from" must not count, such as a description ending in "from".
    const specifiers = /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"\n]+)['"]|^\s*import\s*['"]([^'"\n]+)['"]|\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/gm;
    for (const m of code.matchAll(specifiers)) {
      const specifier = (m[1] ?? m[2] ?? m[3])!;
      if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) continue;
      const parts = specifier.split('/');
      const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
      if (!dependencies.includes(name)) missing.add(`${name} (${file})`);
    }
  }
  return [...missing].sort();
}
