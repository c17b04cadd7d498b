/**
 * Who a set of credentials is for, as the providers' messages say it. A connection's messages open
 * with `connection "prod": ` and their hints point at `connections.prod`; a secret store words the
 * failure itself (its errors say which store, and which credential step), so it gives no `label`
 * and the providers' messages start with what failed.
 */
export interface CredentialSubject {
  /** Opens every message: `connection "prod"`. Unset: the caller adds its own context. */
  label?: string;
  /** Where the credentials are configured, for hints: `connections.prod`, `secretStores.sm`. */
  settings: string;
}

/** The subject of a configured connection's credentials. */
export function connectionSubject(name: string): CredentialSubject {
  return { label: `connection "${name}"`, settings: `connections.${name}` };
}

/** `text` opened with the subject's label, if it has one. */
export function worded(subject: CredentialSubject, text: string): string {
  return subject.label ? `${subject.label}: ${text}` : text;
}
