/**
 * Studio domains (Prowler's `sagemaker_domain_sso_configured`, and the domain's counterpart of a
 * notebook's direct internet access). DescribeDomain always returns `AuthMode` and
 * `AppNetworkAccessType`; a domain without them is not judged.
 */
import type { ResourceRule } from '../types.js';

const DOMAIN = 'AWSSageMakerDomain';

export const studioRules: readonly ResourceRule[] = [
  {
    kind: 'resource',
    id: 'sagemaker-domain-iam-auth-mode',
    severity: 'medium',
    title: 'SageMaker Studio domain authenticates users with IAM instead of IAM Identity Center',
    remediation:
      "Create the domain with AuthMode 'SSO' (a domain's auth mode cannot be changed) so that its users come from your identity provider, with its MFA and offboarding.",
    appliesTo: DOMAIN,
    evidence: "authMode is 'IAM'",
    reads: ['authMode'],
    test: (n) => n.properties.authMode === 'IAM',
  },
  {
    kind: 'resource',
    id: 'sagemaker-domain-public-internet',
    severity: 'high',
    title: "SageMaker Studio domain's apps have direct internet access",
    remediation:
      "Set the domain's AppNetworkAccessType to 'VpcOnly' (UpdateDomain) and give its VPC the endpoints or NAT gateway its apps need.",
    appliesTo: DOMAIN,
    evidence: "appNetworkAccessType is 'PublicInternetOnly'",
    reads: ['appNetworkAccessType'],
    test: (n) => n.properties.appNetworkAccessType === 'PublicInternetOnly',
  },
];
