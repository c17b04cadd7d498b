#!/bin/sh
# Least privilege for a `gcp-secret-manager` store: the agent sends one RPC, AccessSecretVersion,
# which needs the permission secretmanager.versions.access; the predefined role
# roles/secretmanager.secretAccessor holds exactly that one. Bind it on each secret the agent's
# references name, never on the project. Placeholders:
#   <project-id>       the secrets' project
#   <secret-name>      each secret ("gcp-prod:sdr-aws" or "projects/<project-id>/secrets/sdr-aws")
#   <member>           the agent's identity, one of:
#       serviceAccount:<service-account>@<project-id>.iam.gserviceaccount.com
#           (a key file, GKE Workload Identity through a Google service account, GCE/Cloud Run)
#       principal://iam.googleapis.com/projects/<project-number>/locations/global/workloadIdentityPools/<project-id>.svc.id.goog/subject/ns/<namespace>/sa/<kubernetes-service-account>
#           (GKE Workload Identity Federation granting the Kubernetes service account directly)
set -eu

gcloud secrets add-iam-policy-binding '<secret-name>' \
  --project='<project-id>' \
  --member='<member>' \
  --role='roles/secretmanager.secretAccessor'

# The same binding as a policy document: gcp-secret-manager-policy.json. Note that
#   gcloud secrets set-iam-policy '<secret-name>' deploy/policies/gcp-secret-manager-policy.json
# REPLACES the secret's whole policy; add-iam-policy-binding above adds to it.
