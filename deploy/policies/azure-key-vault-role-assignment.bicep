// Least privilege for an `azure-key-vault` store, as Bicep: the agent's identity may read the
// listed secrets (getSecret) and nothing else. Deploy into the vault's resource group:
//   az deployment group create --resource-group <resource-group> \
//     --template-file deploy/policies/azure-key-vault-role-assignment.bicep \
//     --parameters vaultName=<vault-name> principalId=<principal-id> secretNames='["<secret-name>"]'

@description('The vault of the store\'s vaultUrl (https://<vault-name>.vault.azure.net/).')
param vaultName string

@description('The secrets the agent\'s references name ("akv:sdr-aws" -> sdr-aws).')
param secretNames array

@description('Object (principal) ID of the agent\'s identity: managed identity, workload identity or service principal.')
param principalId string

@description('false: an RBAC vault (a role assignment per secret). true: a vault on the access-policy model (vault-wide "get" on secrets only).')
param useAccessPolicies bool = false

@description('The tenant of the vault; only used with access policies.')
param tenantId string = subscription().tenantId

// Built-in role "Key Vault Secrets User" (data actions: secrets getSecret and readMetadata).
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

resource secrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = [for name in secretNames: {
  parent: vault
  name: name
}]

// RBAC vaults: one assignment per secret, scoped to that secret.
resource readSecret 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (name, i) in secretNames: if (!useAccessPolicies) {
  name: guid(vault.id, name, principalId, keyVaultSecretsUser)
  scope: secrets[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

// Access-policy vaults: "get" on secrets, nothing on keys or certificates, no list.
resource getSecrets 'Microsoft.KeyVault/vaults/accessPolicies@2023-07-01' = if (useAccessPolicies) {
  parent: vault
  name: 'add'
  properties: {
    accessPolicies: [
      {
        tenantId: tenantId
        objectId: principalId
        permissions: {
          secrets: [
            'get'
          ]
          keys: []
          certificates: []
        }
      }
    ]
  }
}
