# Vault policy of the sdr-agent's token, KV version 2 (the default: kv.version: 2).
#
#   vault policy write sdr-agent-read deploy/policies/vault-kv-v2.hcl
#
# Replace <kv-mount> with the store's kv.mount (default "secret") and <secret-path> with the path
# of each secret the agent's references name (the reference "vault-prod:secret/sdr/aws" is mount
# "secret", path "sdr/aws"). One "read" block per secret: the agent never lists, never reads
# metadata, never writes. "read" on the data path covers ?version=N as well.

path "<kv-mount>/data/<secret-path>" {
  capabilities = ["read"]
}

# The token's own lookup, renewal and revocation. Vault's built-in "default" policy grants these
# too; they are listed here so the role can drop "default" (token_no_default_policy=true) and the
# token then holds exactly this policy. POST is "update" in Vault's terms.
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
