#!/bin/sh
# Least privilege for an `azure-key-vault` store: the agent sends one request, getSecret
# (GET /secrets/<name>[/<version>]), so its identity needs the data action
# Microsoft.KeyVault/vaults/secrets/getSecret/action on the secrets it reads, and nothing else.
# Run with the Azure CLI, logged in as someone who may assign roles on the vault. Placeholders:
#   <vault-name>     the vault of the store's vaultUrl (https://<vault-name>.vault.azure.net/)
#   <secret-name>    each secret the agent's references name ("akv:sdr-aws" -> sdr-aws)
#   <principal-id>   the object (principal) ID of the agent's identity: the managed identity, the
#                    workload identity's user-assigned identity or app, or the service principal
set -eu

VAULT_ID="$(az keyvault show --name '<vault-name>' --query id --output tsv)"

# RBAC vaults (enableRbacAuthorization: true, the default for new vaults): the built-in role
# "Key Vault Secrets User", scoped to each secret the agent reads (narrowest) ...
az role assignment create \
  --assignee-object-id '<principal-id>' \
  --assignee-principal-type ServicePrincipal \
  --role 'Key Vault Secrets User' \
  --scope "$VAULT_ID/secrets/<secret-name>"

# ... or, if the agent reads every secret of a vault dedicated to it, to the vault:
#   az role assignment create --assignee-object-id '<principal-id>' \
#     --assignee-principal-type ServicePrincipal --role 'Key Vault Secrets User' --scope "$VAULT_ID"
#
# "Key Vault Secrets User" also grants readMetadata (listing secret names and properties), which
# the agent never uses. To grant getSecret alone, create the custom role in
# azure-key-vault-custom-role.json and assign it instead:
#   az role definition create --role-definition @deploy/policies/azure-key-vault-custom-role.json
#   az role assignment create --assignee-object-id '<principal-id>' \
#     --assignee-principal-type ServicePrincipal --role 'sdr-agent Key Vault secret reader' \
#     --scope "$VAULT_ID/secrets/<secret-name>"

# Vaults on the access-policy permission model (enableRbacAuthorization: false): policies are
# vault-wide, so grant "get" on secrets and nothing else (no list, no keys, no certificates):
#   az keyvault set-policy --name '<vault-name>' --object-id '<principal-id>' --secret-permissions get
