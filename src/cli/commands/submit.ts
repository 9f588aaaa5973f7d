/**
 * `exoniche submit --manifest M (--slurm | --k8s)`: hand a planned sweep (sweep.json, from `exoniche sweep plan`)
 * to a cluster. --slurm writes a job-array script and a dependent merge script into <run dir>/slurm/ and submits
 * both with sbatch (job ids on stdout); --k8s writes an Indexed Job and a merge Job as YAML (default into
 * <run dir>/k8s/) and prints the kubectl steps. --dry-run prints the scripts / YAML and submits nothing.
 * See docs/cluster.md.
 */
import { basename, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { LauncherError, SubmitError, type SweepTarget } from '../../sweep/launchers/common.js';
import {
  jobYaml,
  K8S_DEFAULTS,
  kubectlSteps,
  kubernetesMergeJob,
  kubernetesOptions,
  kubernetesShardJob,
} from '../../sweep/launchers/kubernetes.js';
import {
  SLURM_DEFAULTS,
  slurmArrayScript,
  slurmMergeScript,
  slurmOptions,
  submitSlurm,
  sweepTarget,
} from '../../sweep/launchers/slurm.js';
import { SweepManifestError } from '../../sweep/manifest.js';
import { CliError, EXIT } from '../exit-codes.js';
import { printJson, withJsonErrors } from './run.js';

interface SubmitFlags {
  manifest: string;
  slurm?: boolean;
  k8s?: boolean;
  dryRun?: boolean;
  json?: boolean;
  name?: string;
  time?: string;
  mem?: string;
  cpusPerTask?: string;
  command?: string;
  throttle?: string;
  partition?: string;
  account?: string;
  logDir?: string;
  image?: string;
  imagePullPolicy?: string;
  namespace?: string;
  parallelism?: string;
  backoffLimitPerIndex?: string;
  pvc?: string;
  mountPath?: string;
  subPath?: string;
  out?: string;
}

const HELP = `
Slurm: one job array (task i runs \`exoniche sweep run-shard --index i\`, at most --throttle at a time) and a
merge job with --dependency=afterok on the array. Scripts and submitted.json go to <run dir>/slurm/, task logs
to <run dir>/slurm/logs/. A failed shard cancels the merge; submit again to rerun only the missing shards.

Kubernetes: <run dir>/k8s/shards.yaml (an Indexed Job, one completion per shard) and merge.yaml. The run
folder must sit on the PersistentVolumeClaim --pvc at --sub-path (default: the run folder's name).

Exit codes:
  0   submitted (or printed, with --dry-run)
  1   the scheduler refused the job or is not installed
  64  wrong usage (missing --slurm/--k8s, bad option value)
  65  the manifest is invalid
  66  the manifest does not exist
  73  the scripts cannot be written`;

export function registerSubmit(program: Command): void {
  program
    .command('submit')
    .description(
      'Submit a planned sweep to a cluster: a Slurm job array or a Kubernetes Indexed Job, then a merge',
    )
    .requiredOption('--manifest <file>', 'the sweep manifest (sweep.json from `exoniche sweep plan`)')
    .option('--slurm', 'submit with sbatch (job array + dependent merge job)')
    .option('--k8s', 'write Kubernetes Jobs (Indexed Job + merge Job) as YAML')
    .option('--dry-run', 'print the scripts / YAML; write and submit nothing')
    .option('--json', 'print one JSON object (job ids, files) on stdout and nothing else')
    .option('--name <name>', 'job name (default: exoniche-<run folder>)')
    .option('--time <T>', `wall time per shard, Slurm notation (default ${SLURM_DEFAULTS.time})`)
    .option('--mem <M>', `memory per shard, e.g. 500M, 2G (default ${SLURM_DEFAULTS.mem})`)
    .option('--cpus-per-task <N>', `CPUs per shard (default ${SLURM_DEFAULTS.cpusPerTask})`)
    .option(
      '--command <words>',
      'how jobs run exoniche, words separated by spaces (Slurm default: this node and CLI, absolute; k8s: exoniche)',
    )
    .option('--throttle <T>', `Slurm: at most T array tasks at once (default ${SLURM_DEFAULTS.throttle})`)
    .option('--partition <P>', 'Slurm: partition')
    .option('--account <A>', 'Slurm: account')
    .option('--log-dir <dir>', 'Slurm: folder of the task logs (default <run dir>/slurm/logs)')
    .option('--image <image>', 'k8s: container image with exoniche installed (required)')
    .option('--image-pull-policy <P>', 'k8s: Always, IfNotPresent or Never')
    .option('--namespace <ns>', 'k8s: namespace')
    .option('--parallelism <P>', `k8s: pods at once (default ${K8S_DEFAULTS.parallelism})`)
    .option(
      '--backoff-limit-per-index <N>',
      `k8s: retries per shard (default ${K8S_DEFAULTS.backoffLimitPerIndex})`,
    )
    .option(
      '--pvc <claim>',
      `k8s: PersistentVolumeClaim holding the run folder (default ${K8S_DEFAULTS.pvc})`,
    )
    .option('--mount-path <path>', `k8s: where the claim is mounted (default ${K8S_DEFAULTS.mountPath})`)
    .option('--sub-path <path>', "k8s: the run folder inside the claim (default: the run folder's name)")
    .option('--out <dir>', 'k8s: folder for shards.yaml and merge.yaml (default <run dir>/k8s)')
    .addHelpText('after', HELP)
    .action(async (flags: SubmitFlags) => {
      await withJsonErrors(flags.json, () => submitCommand(flags));
    });
}

function words(command: string | undefined): string[] | undefined {
  if (command === undefined) return undefined;
  const w = command.trim().split(/\s+/).filter(Boolean);
  if (w.length === 0) throw new CliError('--command: expected at least one word', EXIT.usage);
  return w;
}

function target(manifest: string): SweepTarget {
  try {
    return sweepTarget(manifest);
  } catch (err) {
    if (err instanceof SweepManifestError)
      throw new CliError(err.message, err.reason === 'missing' ? EXIT.noInput : EXIT.dataError);
    if (err instanceof LauncherError) throw new CliError(err.message, EXIT.dataError);
    throw err;
  }
}

function mapError(err: unknown): never {
  if (err instanceof CliError) throw err;
  if (err instanceof LauncherError) throw new CliError(err.message, EXIT.usage);
  if (err instanceof SubmitError) throw new CliError(err.message, EXIT.simulationFailed);
  if (err instanceof SweepManifestError)
    throw new CliError(err.message, err.reason === 'missing' ? EXIT.noInput : EXIT.dataError);
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES' || code === 'EROFS' || code === 'ENOSPC' || code === 'ENOTDIR' || code === 'EEXIST')
    throw new CliError(`cannot write: ${(err as Error).message}`, EXIT.cantCreate);
  throw err;
}

function submitCommand(flags: SubmitFlags): void {
  if (flags.slurm === flags.k8s || (flags.slurm !== true && flags.k8s !== true))
    throw new CliError('give exactly one of --slurm or --k8s', EXIT.usage);
  try {
    if (flags.slurm) submitSlurmCommand(flags);
    else submitK8sCommand(flags);
  } catch (err) {
    mapError(err);
  }
}

function submitSlurmCommand(flags: SubmitFlags): void {
  const slurmFlags = {
    ...(flags.name !== undefined ? { jobName: flags.name } : {}),
    ...(flags.throttle !== undefined ? { throttle: flags.throttle } : {}),
    ...(flags.time !== undefined ? { time: flags.time } : {}),
    ...(flags.mem !== undefined ? { mem: flags.mem } : {}),
    ...(flags.cpusPerTask !== undefined ? { cpusPerTask: flags.cpusPerTask } : {}),
    ...(flags.partition !== undefined ? { partition: flags.partition } : {}),
    ...(flags.account !== undefined ? { account: flags.account } : {}),
    ...(flags.logDir !== undefined ? { logDir: flags.logDir } : {}),
    ...(flags.command !== undefined ? { command: words(flags.command) } : {}),
  };
  if (flags.dryRun) {
    const t = target(flags.manifest);
    const o = slurmOptions(slurmFlags, t);
    const array = slurmArrayScript(t, o);
    const merge = slurmMergeScript(t, o);
    if (flags.json) {
      printJson({
        ok: true,
        command: 'submit',
        launcher: 'slurm',
        dryRun: true,
        shards: t.shards,
        array,
        merge,
      });
      return;
    }
    process.stdout.write(`# ---- shards.sbatch\n${array}# ---- merge.sbatch\n${merge}`);
    return;
  }
  target(flags.manifest); // manifest errors with their own exit codes, before anything is written
  const s = submitSlurm(flags.manifest, slurmFlags);
  if (flags.json) {
    printJson({ ok: true, command: 'submit', launcher: 'slurm', ...s });
    return;
  }
  process.stdout.write(
    `submitted ${s.shards} shard(s) as job array ${s.arrayJobId} and the merge as job ${s.mergeJobId}\n` +
      `scripts: ${display(s.arrayScript)}, ${display(s.mergeScript)}; logs: ${display(s.logDir)}/\n` +
      `watch: squeue -j ${s.arrayJobId},${s.mergeJobId}\n`,
  );
}

function submitK8sCommand(flags: SubmitFlags): void {
  const t = target(flags.manifest);
  const o = kubernetesOptions(
    {
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(flags.image !== undefined ? { image: flags.image } : {}),
      ...(flags.imagePullPolicy !== undefined ? { imagePullPolicy: flags.imagePullPolicy } : {}),
      ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
      ...(flags.parallelism !== undefined ? { parallelism: flags.parallelism } : {}),
      ...(flags.backoffLimitPerIndex !== undefined
        ? { backoffLimitPerIndex: flags.backoffLimitPerIndex }
        : {}),
      ...(flags.pvc !== undefined ? { pvc: flags.pvc } : {}),
      ...(flags.mountPath !== undefined ? { mountPath: flags.mountPath } : {}),
      ...(flags.subPath !== undefined ? { subPath: flags.subPath } : {}),
      ...(flags.time !== undefined ? { time: flags.time } : {}),
      ...(flags.mem !== undefined ? { mem: flags.mem } : {}),
      ...(flags.cpusPerTask !== undefined ? { cpusPerTask: flags.cpusPerTask } : {}),
      ...(flags.command !== undefined ? { command: words(flags.command) } : {}),
    },
    basename(t.manifestPath),
    basename(t.runDir),
  );
  const shardsYaml = jobYaml(kubernetesShardJob(t.shards, o));
  const mergeYaml = jobYaml(kubernetesMergeJob(o));
  if (flags.dryRun) {
    if (flags.json) {
      printJson({
        ok: true,
        command: 'submit',
        launcher: 'k8s',
        dryRun: true,
        shards: shardsYaml,
        merge: mergeYaml,
      });
      return;
    }
    process.stdout.write(`# shards.yaml\n${shardsYaml}---\n# merge.yaml\n${mergeYaml}`);
    return;
  }
  const out = resolve(flags.out ?? join(t.runDir, 'k8s'));
  const shardsFile = join(out, 'shards.yaml');
  const mergeFile = join(out, 'merge.yaml');
  writeFileAtomic(shardsFile, shardsYaml);
  writeFileAtomic(mergeFile, mergeYaml);
  const steps = kubectlSteps(o, display(shardsFile), display(mergeFile));
  if (flags.json) {
    printJson({
      ok: true,
      command: 'submit',
      launcher: 'k8s',
      shards: t.shards,
      files: [shardsFile, mergeFile],
      steps,
    });
    return;
  }
  process.stdout.write(
    `wrote ${display(shardsFile)} (Indexed Job, ${t.shards} completions) and ${display(mergeFile)}\n` +
      `copy the run folder to the claim '${o.pvc}' at '${o.subPath || '.'}', then:\n` +
      steps.map((s) => `  ${s}\n`).join(''),
  );
}

function display(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}
