import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import {
  jobYaml,
  kubectlSteps,
  kubernetesMergeJob,
  kubernetesOptions,
  kubernetesShardJob,
} from '../../../src/sweep/launchers/kubernetes.js';
import { runCli } from '../../support/run-cli.js';
import { planTestSweep } from './fixtures.js';

/**
 * The part of the Kubernetes batch/v1 API these Jobs use, written out by hand from the API reference (Job,
 * ObjectMeta, JobSpec, PodTemplateSpec, PodSpec, Container, EnvVar, ResourceRequirements, Volume): every key
 * must be known at its place and carry the right type, so a misspelt field (which kubectl would reject, or an
 * old client silently drop) fails here.
 */
type Shape = 'string' | 'int' | 'stringMap' | { readonly [key: string]: Shape } | readonly [Shape];
const OBJECT_FIELD_SELECTOR: Shape = { fieldPath: 'string', apiVersion: 'string' };
const ENV_VAR: Shape = { name: 'string', value: 'string', valueFrom: { fieldRef: OBJECT_FIELD_SELECTOR } };
const CONTAINER: Shape = {
  name: 'string',
  image: 'string',
  imagePullPolicy: 'string',
  command: ['string'],
  args: ['string'],
  workingDir: 'string',
  env: [ENV_VAR],
  resources: { requests: 'stringMap', limits: 'stringMap' },
  volumeMounts: [{ name: 'string', mountPath: 'string', subPath: 'string' }],
};
const POD_SPEC: Shape = {
  restartPolicy: 'string',
  activeDeadlineSeconds: 'int',
  containers: [CONTAINER],
  volumes: [{ name: 'string', persistentVolumeClaim: { claimName: 'string' } }],
};
const META: Shape = { name: 'string', namespace: 'string', labels: 'stringMap', annotations: 'stringMap' };
const JOB: Shape = {
  apiVersion: 'string',
  kind: 'string',
  metadata: META,
  spec: {
    completionMode: 'string',
    completions: 'int',
    parallelism: 'int',
    backoffLimit: 'int',
    backoffLimitPerIndex: 'int',
    maxFailedIndexes: 'int',
    activeDeadlineSeconds: 'int',
    ttlSecondsAfterFinished: 'int',
    template: { metadata: META, spec: POD_SPEC },
  },
};

function shapeErrors(value: unknown, shape: Shape, path = ''): string[] {
  if (shape === 'string') return typeof value === 'string' ? [] : [`${path}: expected a string`];
  if (shape === 'int') return Number.isInteger(value) ? [] : [`${path}: expected an integer`];
  if (shape === 'stringMap')
    return typeof value === 'object' &&
      value !== null &&
      Object.values(value).every((v) => typeof v === 'string')
      ? []
      : [`${path}: expected a map of strings`];
  if (Array.isArray(shape)) {
    if (!Array.isArray(value) || value.length === 0) return [`${path}: expected a non-empty list`];
    return value.flatMap((v, i) => shapeErrors(v, shape[0], `${path}[${i}]`));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [`${path}: expected an object`];
  return Object.entries(value).flatMap(([k, v]) =>
    k in shape
      ? shapeErrors(v, (shape as Record<string, Shape>)[k], `${path}.${k}`)
      : [`${path}.${k}: unknown field`],
  );
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('Kubernetes Jobs', () => {
  const o = kubernetesOptions(
    {
      image: 'registry.example/exoniche:0.1.0',
      parallelism: '4',
      backoffLimitPerIndex: '3',
      pvc: 'cml-runs',
      namespace: 'science',
      mem: '1536M',
      cpusPerTask: '2',
      time: '02:00:00',
    },
    'sweep.json',
    'Run 2026_11',
  );

  it('shards: an Indexed Job with K completions, P parallel, retries per index, the run folder on the claim', () => {
    const job = parse(jobYaml(kubernetesShardJob(10, o)));
    expect(shapeErrors(job, JOB)).toEqual([]);
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.kind).toBe('Job');
    expect(job.metadata.name).toBe('exoniche-run-2026-11-shards');
    expect(job.metadata.name).toMatch(DNS_LABEL);
    expect(job.metadata.namespace).toBe('science');
    expect(job.spec).toMatchObject({
      completionMode: 'Indexed',
      completions: 10,
      parallelism: 4,
      backoffLimitPerIndex: 3,
    });
    const pod = job.spec.template.spec;
    // backoffLimitPerIndex requires restartPolicy Never (the API server rejects anything else)
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.activeDeadlineSeconds).toBe(7200);
    expect(pod.volumes).toEqual([{ name: 'run', persistentVolumeClaim: { claimName: 'cml-runs' } }]);
    const [c] = pod.containers;
    expect(c.image).toBe('registry.example/exoniche:0.1.0');
    expect(c.volumeMounts).toEqual([{ name: 'run', mountPath: '/runs' }]);
    expect(c.workingDir).toBe('/runs/Run 2026_11');
    expect(c.command).toEqual(['exoniche']);
    expect(c.args).toEqual([
      'sweep',
      'run-shard',
      '--manifest',
      '/runs/Run 2026_11/sweep.json',
      '--workers',
      '2',
      '--index',
      '$(JOB_COMPLETION_INDEX)',
    ]);
    // the $(VAR) in args is expanded only from variables the container declares
    expect(c.env).toEqual([
      {
        name: 'JOB_COMPLETION_INDEX',
        valueFrom: {
          fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" },
        },
      },
    ]);
    expect(c.resources).toEqual({ requests: { cpu: '2', memory: '1536Mi' }, limits: { memory: '1536Mi' } });
  });

  it('parallelism never exceeds the number of shards; more than 10^5 shards are refused', () => {
    expect((kubernetesShardJob(3, o).spec as { parallelism: number }).parallelism).toBe(3);
    expect((kubernetesShardJob(100_000, o).spec as { completions: number }).completions).toBe(100_000);
    expect(() => kubernetesShardJob(100_001, o)).toThrow(/at most 100000/);
  });

  it('merge: one pod running `sweep merge` on the same claim', () => {
    const job = parse(jobYaml(kubernetesMergeJob(o)));
    expect(shapeErrors(job, JOB)).toEqual([]);
    expect(job.metadata.name).toBe('exoniche-run-2026-11-merge');
    expect(job.spec.completionMode).toBeUndefined();
    expect(job.spec.completions).toBe(1);
    const [c] = job.spec.template.spec.containers;
    expect(c.args).toEqual(['sweep', 'merge', '--manifest', '/runs/Run 2026_11/sweep.json']);
    expect(job.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe('cml-runs');
    expect(kubectlSteps(o, 'a.yaml', 'b.yaml')).toEqual([
      'kubectl apply -n science -f a.yaml',
      'kubectl wait -n science --for=condition=complete --timeout=-1s job/exoniche-run-2026-11-shards',
      'kubectl apply -n science -f b.yaml',
      'kubectl wait -n science --for=condition=complete --timeout=-1s job/exoniche-run-2026-11-merge',
    ]);
  });

  it('the shape check itself catches a misspelt field and a wrong type', () => {
    const job = kubernetesShardJob(2, o) as { spec: Record<string, unknown> };
    expect(shapeErrors({ ...job, spec: { ...job.spec, backOffLimitPerIndex: 1 } }, JOB)).toEqual([
      '.spec.backOffLimitPerIndex: unknown field',
    ]);
    expect(shapeErrors({ ...job, spec: { ...job.spec, completions: '2' } }, JOB)).toEqual([
      '.spec.completions: expected an integer',
    ]);
  });

  it('bad options name the option', () => {
    expect(() => kubernetesOptions({}, 'sweep.json', 'r')).toThrow('--image: required with --k8s');
    expect(() => kubernetesOptions({ image: 'i', name: 'Bad_Name' }, 'sweep.json', 'r')).toThrow(
      /--name: expected a DNS-1123 label/,
    );
    expect(() => kubernetesOptions({ image: 'i', pvc: 'UPPER' }, 'sweep.json', 'r')).toThrow(
      /--pvc: expected/,
    );
    expect(() => kubernetesOptions({ image: 'i', subPath: '../x' }, 'sweep.json', 'r')).toThrow(/--sub-path/);
    expect(() => kubernetesOptions({ image: 'i', mountPath: 'rel' }, 'sweep.json', 'r')).toThrow(
      /--mount-path/,
    );
    expect(() => kubernetesOptions({ image: 'i', parallelism: '0' }, 'sweep.json', 'r')).toThrow(
      /--parallelism/,
    );
    expect(() => kubernetesOptions({ image: 'i', imagePullPolicy: 'Sometimes' }, 'sweep.json', 'r')).toThrow(
      /--image-pull-policy/,
    );
  });
});

describe('exoniche submit --k8s', () => {
  it('writes shards.yaml and merge.yaml for the manifest and prints the kubectl steps', async () => {
    const manifest = await planTestSweep(9, 3, 'cohort-a');
    const out = join(mkdtempSync(join(tmpdir(), 'exoniche-k8s-')), 'yaml');
    const r = runCli([
      'submit',
      '--k8s',
      '--manifest',
      manifest,
      '--image',
      'exo:1',
      '--out',
      out,
      '--pvc',
      'runs',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'kubectl wait --for=condition=complete --timeout=-1s job/exoniche-cohort-a-shards',
    );
    const docs = parseAllDocuments(readFileSync(join(out, 'shards.yaml'), 'utf8'));
    expect(docs).toHaveLength(1);
    const shards = docs[0].toJS();
    expect(shapeErrors(shards, JOB)).toEqual([]);
    expect(shards.spec.completions).toBe(3);
    expect(shards.spec.template.spec.containers[0].args.slice(2, 6)).toEqual([
      '--manifest',
      '/runs/cohort-a/sweep.json',
      '--workers',
      '0',
    ]);
    const merge = parse(readFileSync(join(out, 'merge.yaml'), 'utf8'));
    expect(shapeErrors(merge, JOB)).toEqual([]);
    expect(merge.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe('runs');
  });
});
