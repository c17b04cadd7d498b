/**
 * What a reference means to Secret Manager: the name is `projects/<project>/secrets/<secret>` or
 * a short `<secret>` in the store's project; the version is a version number, `latest` (the
 * default) or a version alias.
 */

const SECRET_ID = '[A-Za-z0-9_-]{1,255}';
const PROJECT = '(?:[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,19})';
const FULL = new RegExp(`^projects/(${PROJECT})/secrets/(${SECRET_ID})$`);
const SHORT = new RegExp(`^${SECRET_ID}$`);
/** Version numbers start at 1; `latest` is the newest version; aliases are named by the secret's owner. */
const VERSION = /^(?:[1-9][0-9]{0,18}|latest|[A-Za-z][A-Za-z0-9_-]{0,62})$/;

/** A secret's project (ID or number) and secret id. */
export interface SecretName {
  project: string;
  secret: string;
}

/** What is wrong with the reference's syntax, or undefined. The project is checked at fetch time. */
export function referenceProblem(name: string, version: string | undefined): string | undefined {
  if (/^projects\/[^/]+\/locations\//.test(name))
    return 'regional secrets (projects/<p>/locations/<l>/secrets/<s>) are not supported; use a global secret';
  if (/\/versions\//.test(name)) return 'put the version in ?version=, not in the name: projects/<project>/secrets/<secret>?version=<n>';
  if (!FULL.test(name) && !SHORT.test(name))
    return 'a Secret Manager secret is projects/<project>/secrets/<secret> or a short <secret> (1-255 characters of A-Z a-z 0-9 _ -)';
  if (version !== undefined && !VERSION.test(version))
    return 'the version must be a version number (1, 2, …), "latest", or a version alias (a letter, then letters, digits, _ or -)';
  return undefined;
}

/** The project and secret id of a (syntactically valid) name; undefined when short and no project is configured. */
export function secretName(name: string, project: string | undefined): SecretName | undefined {
  const full = FULL.exec(name);
  if (full) return { project: full[1]!, secret: full[2]! };
  return project ? { project, secret: name } : undefined;
}

/** The resource name `accessSecretVersion` takes. */
export function versionResource(name: SecretName, version: string | undefined): string {
  return `projects/${name.project}/secrets/${name.secret}/versions/${version ?? 'latest'}`;
}
