/**
 * Rules about an account's use of SageMaker in a region rather than one resource (Prowler's
 * `sagemaker_models_registry_in_use`). They fire on an absence, so they are judged only where
 * the crawl of the labels they count completed.
 *
 * The model registry rule counts every crawled model (`AWSSageMakerModel`), deployed or not, so
 * its title says models exist in the region, not that they are deployed: which models an endpoint
 * config uses is an edge to join to the model nodes, which a per-region count does not keep.
 */
import type { RegionRule } from '../types.js';

export const accountRules: readonly RegionRule[] = [
  {
    kind: 'region',
    id: 'sagemaker-model-registry-not-used',
    severity: 'low',
    title: 'SageMaker models exist in a region whose Model Registry has no approved model package',
    remediation:
      'Register the models as versions in a model package group of the SageMaker Model Registry, approve them there (ModelApprovalStatus Approved), and create models and endpoints only from approved versions.',
    appliesTo: 'AWSSageMakerModel',
    evidence:
      "at least one crawled model in the region, and no crawled model package group or no model package with modelApprovalStatus 'Approved', where the model package group and model package scopes completed",
    counters: [
      { name: 'models', label: 'AWSSageMakerModel' },
      { name: 'modelPackageGroups', label: 'AWSSageMakerModelPackageGroup' },
      {
        name: 'approvedModelPackages',
        label: 'AWSSageMakerModelPackage',
        reads: ['modelApprovalStatus'],
        where: (n) => n.properties.modelApprovalStatus === 'Approved',
      },
    ],
    requiresComplete: ['AWSSageMakerModelPackageGroup', 'AWSSageMakerModelPackage'],
    test: (c) => c.models > 0 && (c.modelPackageGroups === 0 || c.approvedModelPackages === 0),
  },
];
