import type { ResourceDescriptor } from '../descriptor.js';
import { action } from './action.js';
import { artifact } from './artifact.js';
import { association } from './association.js';
import { context } from './context.js';
import { domain } from './domain.js';
import { endpointConfig } from './endpoint-config.js';
import { endpoint } from './endpoint.js';
import { featureGroup } from './feature-group.js';
import { hyperParameterTuningJob } from './hyper-parameter-tuning-job.js';
import { modelPackageGroup } from './model-package-group.js';
import { modelPackage } from './model-package.js';
import { model } from './model.js';
import { monitoringSchedule } from './monitoring-schedule.js';
import { notebookInstance } from './notebook-instance.js';
import { pipelineExecution } from './pipeline-execution.js';
import { pipeline } from './pipeline.js';
import { processingJob } from './processing-job.js';
import { trainingJob } from './training-job.js';
import { transformJob } from './transform-job.js';
import { userProfile } from './user-profile.js';

/** The registry: one line per resource type. Adding a type is one file and one line here. */
export const RESOURCES: ResourceDescriptor[] = register([
  notebookInstance,
  domain,
  userProfile,
  model,
  modelPackage,
  modelPackageGroup,
  endpoint,
  endpointConfig,
  monitoringSchedule,
  trainingJob,
  transformJob,
  processingJob,
  hyperParameterTuningJob,
  featureGroup,
  pipeline,
  pipelineExecution,
  artifact,
  context,
  action,
  association,
]);

/** The resource type names, as `--types` takes them. */
export const RESOURCE_TYPES = RESOURCES.map((d) => d.type);

function register(list: ResourceDescriptor<any, any>[]): ResourceDescriptor[] {
  const seen = new Set<string>();
  for (const d of list) {
    if (seen.has(d.type)) throw new Error(`resource type ${d.type} registered twice`);
    seen.add(d.type);
  }
  return list;
}
