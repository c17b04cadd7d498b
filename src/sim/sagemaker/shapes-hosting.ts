import type {
  DescribeEndpointConfigOutput,
  DescribeEndpointOutput,
  Endpoint,
  EndpointConfigSummary,
  EndpointSummary,
  ModelDashboardEndpoint,
  ModelDashboardModel,
} from '@aws-sdk/client-sagemaker';
import type { RegionEstate } from './estate.js';
import { kmsIf, ms, weighted } from './shapes-common.js';
import { model, modelImage } from './shapes-models.js';
import type { Wire } from './types.js';

/** The models endpoint config `c` serves: one, or two (A/B) for odd configs. */
export function configModels(r: RegionEstate, c: number): number[] {
  const m = r.counts.models;
  if (m === 0) return [];
  return c % 2 === 1 && m > 1 ? [c % m, (c + 1) % m] : [c % m];
}

/** DescribeEndpointConfig. */
export function endpointConfig(r: RegionEstate, c: number): Wire<DescribeEndpointConfigOutput> {
  const rng = r.rng('endpoint-config', c, 10);
  const name = r.name('endpoint-config', c);
  const models = configModels(r, c);
  const ab = models.length > 1;
  return {
    EndpointConfigName: name,
    EndpointConfigArn: r.arn('endpoint-config', c),
    ProductionVariants: models.map((m, k) => ({
      VariantName: ab ? `Variant${'AB'[k]}` : 'AllTraffic',
      ModelName: r.name('model', m),
      InitialInstanceCount: 1 + rng.int(2),
      InstanceType: rng.pick(['ml.m5.large', 'ml.m5.xlarge', 'ml.g4dn.xlarge'] as const),
      InitialVariantWeight: ab ? 0.5 : 1,
    })),
    DataCaptureConfig:
      c % 3 === 0
        ? {
            EnableCapture: true,
            InitialSamplingPercentage: 20,
            DestinationS3Uri: `s3://${r.buckets[c % 2]}/datacapture/${name}`,
            KmsKeyId: kmsIf(r, c % 2 === 0, c + 3),
            CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
          }
        : undefined,
    KmsKeyId: c % 2 === 0 ? r.kmsKeys[(c + 2) % r.kmsKeys.length] : undefined,
    CreationTime: r.created('endpoint-config', c),
  };
}

/** ListEndpointConfigs item. */
export function endpointConfigSummary(r: RegionEstate, c: number): Wire<EndpointConfigSummary> {
  return {
    EndpointConfigName: r.name('endpoint-config', c),
    EndpointConfigArn: r.arn('endpoint-config', c),
    CreationTime: r.created('endpoint-config', c),
  };
}

/** The endpoint config endpoint `e` runs. */
export function endpointConfigOf(r: RegionEstate, e: number): number | undefined {
  const n = r.counts.endpointConfigs;
  return n > 0 ? e % n : undefined;
}

/** DescribeEndpoint: runs an existing endpoint config; variants and data capture follow it. */
export function endpoint(r: RegionEstate, e: number): Wire<DescribeEndpointOutput> {
  const rng = r.rng('endpoint', e, 10);
  const c = endpointConfigOf(r, e);
  const config = c === undefined ? undefined : endpointConfig(r, c);
  const created = Math.max(r.created('endpoint', e), config?.CreationTime ?? 0);
  const modified = ms(created + 600 + rng.int(86_400));
  const st = weighted(rng, [
    ['InService', 8],
    ['Updating', 1],
    ['Failed', 1],
  ] as const);
  const capture = config?.DataCaptureConfig;
  const models = c === undefined ? [] : configModels(r, c);
  return {
    EndpointName: r.name('endpoint', e),
    EndpointArn: r.arn('endpoint', e),
    EndpointConfigName: config?.EndpointConfigName ?? `${r.name('endpoint', e)}-config`,
    ProductionVariants: (config?.ProductionVariants ?? []).map((v, k) => {
      const image = modelImage(r, models[k]);
      return {
        VariantName: v.VariantName,
        DeployedImages: [
          { SpecifiedImage: image, ResolvedImage: `${image.split(':')[0]}@sha256:${rng.hex(64)}`, ResolutionTime: ms(created + 30) },
        ],
        CurrentWeight: v.InitialVariantWeight,
        DesiredWeight: v.InitialVariantWeight,
        CurrentInstanceCount: v.InitialInstanceCount,
        DesiredInstanceCount: v.InitialInstanceCount,
      };
    }),
    DataCaptureConfig: capture
      ? {
          EnableCapture: capture.EnableCapture ?? true,
          CaptureStatus: 'Started',
          CurrentSamplingPercentage: capture.InitialSamplingPercentage,
          DestinationS3Uri: capture.DestinationS3Uri,
          KmsKeyId: capture.KmsKeyId,
        }
      : undefined,
    EndpointStatus: st,
    FailureReason:
      st === 'Failed' ? 'The primary container for production variant AllTraffic did not pass the ping health check.' : undefined,
    CreationTime: ms(created),
    LastModifiedTime: modified,
  };
}

/** ListEndpoints item. */
export function endpointSummary(r: RegionEstate, e: number): Wire<EndpointSummary> {
  const d = endpoint(r, e);
  return {
    EndpointName: d.EndpointName,
    EndpointArn: d.EndpointArn,
    CreationTime: d.CreationTime,
    LastModifiedTime: d.LastModifiedTime,
    EndpointStatus: d.EndpointStatus,
  };
}

/** Search record for an endpoint. */
export function endpointRecord(r: RegionEstate, e: number): Wire<Endpoint> {
  const { EndpointConfigName, ...rest } = endpoint(r, e);
  return { ...rest, EndpointConfigName: EndpointConfigName ?? '', Tags: r.tags('endpoint', e) };
}

/** Endpoints serving model `m` (at most `limit`), found arithmetically from the assignment rules. */
export function modelEndpoints(r: RegionEstate, m: number, limit = 10): number[] {
  const { models: M, endpointConfigs: C, endpoints: E } = r.counts;
  if (M === 0 || C === 0) return [];
  const configs: number[] = [];
  for (let c = m; c < C && configs.length < limit; c += M) configs.push(c);
  if (M > 1) for (let c = (m - 1 + M) % M; c < C && configs.length < 2 * limit; c += M) if (c % 2 === 1) configs.push(c);
  const out = new Set<number>();
  for (const c of configs.filter((c) => configModels(r, c).includes(m))) {
    for (let e = c; e < E && out.size < limit; e += C) out.add(e);
  }
  return [...out].sort((a, b) => a - b).slice(0, limit);
}

/** Search record for a model: a ModelDashboardModel with the model (and tags) and its endpoints. */
export function modelRecord(r: RegionEstate, m: number): Wire<ModelDashboardModel> {
  const d = model(r, m);
  const endpoints: Wire<ModelDashboardEndpoint>[] = modelEndpoints(r, m).map((e) => {
    const x = endpoint(r, e);
    return {
      EndpointName: x.EndpointName,
      EndpointArn: x.EndpointArn,
      CreationTime: x.CreationTime,
      LastModifiedTime: x.LastModifiedTime,
      EndpointStatus: x.EndpointStatus,
    };
  });
  return {
    Model: {
      ModelName: d.ModelName,
      ModelArn: d.ModelArn,
      PrimaryContainer: d.PrimaryContainer,
      Containers: d.Containers,
      InferenceExecutionConfig: d.InferenceExecutionConfig,
      ExecutionRoleArn: d.ExecutionRoleArn,
      VpcConfig: d.VpcConfig,
      EnableNetworkIsolation: d.EnableNetworkIsolation,
      CreationTime: d.CreationTime,
      Tags: r.tags('model', m),
    },
    Endpoints: endpoints,
  };
}
