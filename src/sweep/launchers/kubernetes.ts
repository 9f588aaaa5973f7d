/**
 * Kubernetes launcher: an Indexed Job (completionMode: Indexed, one completion per shard, index i in pod
 * annotation batch.kubernetes.io/job-completion-index and env JOB_COMPLETION_INDEX) runs the K shards, at most
 * P pods at a time, each index retried on its own (backoffLimitPerIndex: GA in Kubernetes 1.33, beta and on by
 * default since 1.29; needs restartPolicy: Never). A second, ordinary Job merges. Kubernetes has no job
 * dependencies, so the merge is applied after `kubectl wait --for=condition=complete` on the shard Job
 * (docs/cluster.md). Both pods mount one PersistentVolumeClaim that holds the run folder (sweep.json, shards/,
 * results), which must be ReadWriteMany when pods land on several nodes.
 * Reference: Kubernetes batch/v1 Job API (JobSpec, PodTemplateSpec), "Indexed Job for parallel processing".
 */
import { posix } from 'node:path';
import { stringify } from 'yaml';
import {
  checkShards,
  dnsLabel,
  LauncherError,
  nonNegativeInt,
  parseMemory,
  parseWallTime,
  positiveInt,
  shardWorkers,
  type TaskResources,
} from './common.js';

export interface KubernetesOptions extends TaskResources {
  /** Base name: jobs `<name>-shards` and `<name>-merge` (a DNS label). */
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  readonly namespace?: string;
  /** Pods running at once (spec.parallelism). */
  readonly parallelism: number;
  /** Failed pods tolerated per index before the index is marked failed. */
  readonly backoffLimitPerIndex: number;
  /** The PersistentVolumeClaim holding the run folder. */
  readonly pvc: string;
  /** Where the claim is mounted in the pod. */
  readonly mountPath: string;
  /** The run folder, relative to the claim's root ('' or '.' for the root itself). */
  readonly subPath: string;
  /** The manifest's file name inside the run folder. */
  readonly manifestFile: string;
  /** The exoniche command in the image (default ['exoniche']). */
  readonly command: readonly string[];
}

export interface KubernetesFlags {
  name?: string;
  image?: string;
  imagePullPolicy?: string;
  namespace?: string;
  parallelism?: string | number;
  backoffLimitPerIndex?: string | number;
  pvc?: string;
  mountPath?: string;
  subPath?: string;
  time?: string;
  mem?: string;
  cpusPerTask?: string | number;
  command?: readonly string[];
}

export const K8S_DEFAULTS = {
  parallelism: 8,
  backoffLimitPerIndex: 2,
  pvc: 'exoniche-runs',
  mountPath: '/runs',
  time: '01:00:00',
  mem: '2G',
  cpusPerTask: 1,
} as const;

/** A resource name in the DNS-1123 label form Kubernetes requires (names of Jobs, claims, namespaces). */
function checkLabel(value: string, option: string, max = 63): string {
  if (value.length > max || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value))
    throw new LauncherError(
      `${option}: expected a DNS-1123 label (lower-case letters, digits and '-', at most ${max} characters, starting and ending alphanumeric), got '${value}'`,
    );
  return value;
}

/** A claim name is a DNS-1123 subdomain: labels joined by dots, at most 253 characters. */
function checkSubdomain(value: string, option: string): string {
  if (value.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(value))
    throw new LauncherError(
      `${option}: expected a DNS-1123 subdomain (e.g. 'exoniche-runs'), got '${value}'`,
    );
  return value;
}

export function kubernetesOptions(
  flags: KubernetesFlags,
  manifestFile: string,
  runDirName: string,
): KubernetesOptions {
  if (flags.image === undefined || flags.image.trim() === '')
    throw new LauncherError('--image: required with --k8s (a container image with exoniche installed)');
  if (/\s/.test(flags.image))
    throw new LauncherError(`--image: must not contain spaces, got '${flags.image}'`);
  // pod hostnames are <job name>-<index>: the job name leaves room for the suffix and the index
  const name = checkLabel(flags.name ?? dnsLabel(`exoniche-${runDirName}`, 40), '--name', 40);
  const mountPath = flags.mountPath ?? K8S_DEFAULTS.mountPath;
  if (!posix.isAbsolute(mountPath))
    throw new LauncherError(`--mount-path: expected an absolute path, got '${mountPath}'`);
  const subPath = posix.normalize(flags.subPath ?? runDirName);
  if (posix.isAbsolute(subPath) || subPath === '..' || subPath.startsWith('../'))
    throw new LauncherError(
      `--sub-path: expected a path inside the claim (relative, no '..'), got '${flags.subPath}'`,
    );
  const policy = flags.imagePullPolicy;
  if (policy !== undefined && policy !== 'Always' && policy !== 'IfNotPresent' && policy !== 'Never')
    throw new LauncherError(`--image-pull-policy: expected Always, IfNotPresent or Never, got '${policy}'`);
  return {
    name,
    image: flags.image,
    ...(policy !== undefined ? { imagePullPolicy: policy } : {}),
    ...(flags.namespace !== undefined ? { namespace: checkLabel(flags.namespace, '--namespace') } : {}),
    parallelism: positiveInt(flags.parallelism ?? K8S_DEFAULTS.parallelism, '--parallelism'),
    backoffLimitPerIndex: nonNegativeInt(
      flags.backoffLimitPerIndex ?? K8S_DEFAULTS.backoffLimitPerIndex,
      '--backoff-limit-per-index',
    ),
    pvc: checkSubdomain(flags.pvc ?? K8S_DEFAULTS.pvc, '--pvc'),
    mountPath,
    subPath: subPath === '.' ? '' : subPath,
    manifestFile,
    timeSeconds: parseWallTime(flags.time ?? K8S_DEFAULTS.time),
    memMiB: parseMemory(flags.mem ?? K8S_DEFAULTS.mem),
    cpusPerTask: positiveInt(flags.cpusPerTask ?? K8S_DEFAULTS.cpusPerTask, '--cpus-per-task'),
    command: flags.command ?? ['exoniche'],
  };
}

/** The plain-object form of a batch/v1 Job, as serialised to YAML. */
export type JobObject = Record<string, unknown>;

function runDirIn(o: KubernetesOptions): string {
  return o.subPath === '' ? o.mountPath : posix.join(o.mountPath, o.subPath);
}

function podSpec(
  o: KubernetesOptions,
  container: Record<string, unknown>,
  deadline: boolean,
): Record<string, unknown> {
  const workingDir = runDirIn(o);
  return {
    restartPolicy: 'Never',
    // per pod, the analogue of Slurm's per-task --time
    ...(deadline ? { activeDeadlineSeconds: o.timeSeconds } : {}),
    containers: [
      {
        image: o.image,
        ...(o.imagePullPolicy !== undefined ? { imagePullPolicy: o.imagePullPolicy } : {}),
        workingDir,
        ...container,
        resources: {
          requests: { cpu: String(o.cpusPerTask), memory: `${o.memMiB}Mi` },
          limits: { memory: `${o.memMiB}Mi` },
        },
        volumeMounts: [{ name: 'run', mountPath: o.mountPath }],
      },
    ],
    volumes: [{ name: 'run', persistentVolumeClaim: { claimName: o.pvc } }],
  };
}

function metadata(o: KubernetesOptions, name: string, role: string): Record<string, unknown> {
  return {
    name,
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    labels: {
      'app.kubernetes.io/name': 'exoniche',
      'app.kubernetes.io/component': role,
      'exoniche/sweep': o.name,
    },
  };
}

/** The Indexed Job that runs shard i in the pod with completion index i. */
export function kubernetesShardJob(shards: number, o: KubernetesOptions): JobObject {
  const k = checkShards(shards, o.manifestFile);
  // the API server's limit for Indexed Jobs (completions and parallelism at most 10^5)
  if (k > 100_000)
    throw new LauncherError(
      `${o.manifestFile}: ${k} shards; an Indexed Job takes at most 100000: plan larger shards`,
    );
  const manifest = posix.join(runDirIn(o), o.manifestFile);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(o, `${o.name}-shards`, 'shards'),
    spec: {
      completionMode: 'Indexed',
      completions: k,
      parallelism: Math.min(o.parallelism, k),
      backoffLimitPerIndex: o.backoffLimitPerIndex,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'exoniche', 'exoniche/sweep': o.name } },
        spec: podSpec(
          o,
          {
            name: 'shard',
            command: [...o.command],
            // $(VAR) is expanded by the kubelet from the container's env
            args: [
              'sweep',
              'run-shard',
              '--manifest',
              manifest,
              '--workers',
              String(shardWorkers(o.cpusPerTask)),
              '--index',
              '$(JOB_COMPLETION_INDEX)',
            ],
            env: [
              {
                // the Job controller injects this too (Kubernetes >= 1.22); declared here so that older
                // clusters and readers of this file see where the index comes from
                name: 'JOB_COMPLETION_INDEX',
                valueFrom: {
                  fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" },
                },
              },
            ],
          },
          true,
        ),
      },
    },
  };
}

/** The merge Job: one pod, `exoniche sweep merge`, applied once the shard Job is complete. */
export function kubernetesMergeJob(o: KubernetesOptions): JobObject {
  const manifest = posix.join(runDirIn(o), o.manifestFile);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(o, `${o.name}-merge`, 'merge'),
    spec: {
      completions: 1,
      parallelism: 1,
      backoffLimit: o.backoffLimitPerIndex,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'exoniche', 'exoniche/sweep': o.name } },
        spec: podSpec(
          o,
          { name: 'merge', command: [...o.command], args: ['sweep', 'merge', '--manifest', manifest] },
          true,
        ),
      },
    },
  };
}

/** YAML text of a Job (block style, keys in the order built above). */
export function jobYaml(job: JobObject): string {
  return stringify(job, { lineWidth: 0 });
}

/** The kubectl commands that run the two Jobs in order. */
export function kubectlSteps(o: KubernetesOptions, shardsFile: string, mergeFile: string): string[] {
  const ns = o.namespace !== undefined ? ` -n ${o.namespace}` : '';
  return [
    `kubectl apply${ns} -f ${shardsFile}`,
    `kubectl wait${ns} --for=condition=complete --timeout=-1s job/${o.name}-shards`,
    `kubectl apply${ns} -f ${mergeFile}`,
    `kubectl wait${ns} --for=condition=complete --timeout=-1s job/${o.name}-merge`,
  ];
}
