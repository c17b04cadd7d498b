# Vault policy of the sdr-agent's token, KV version 1 (kv.version: 1 on the store).
#
#   vault policy write sdr-agent-read deploy/policies/vault-kv-v1.hcl
#
# Replace <kv-mount> with the store's kv.mount and <secret-path> with the path of each secret the
# agent's references name (the reference "vault-prod:kv/sdr/aws" is mount "kv", path "sdr/aws").
# One "read" block per secret: the agent never lists and never writes. KV v1 has no versions.

path "<kv-mount>/<secret-path>" {
  capabilities = ["read"]
}

# The token's own lookup, renewal and revocation (also in Vault's "default" policy; listed so the
# role can set token_no_default_policy=true). POST is "update" in Vault's terms.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}

path "auth/token/renew-self" {
  capabilities = ["update"]
}

path "auth/token/revoke-self" {
  capabilities = ["update"]
}

# Not needed in any policy: the login (POST auth/<approle|kubernetes mount>/login) and
# GET sys/health?standbyok=true are unauthenticated endpoints.
