/**
 * A local AWS IAM that the real `@aws-sdk/client-iam` talks to: awsQuery
 * (`Action=GetAccountAuthorizationDetails&Version=2010-05-08`, XML replies) over HTTP, SigV4
 * verified, serving the deterministic estate of estate.ts.
 */
import { SimError } from '../errors.js';
import { IamEstate } from './estate.js';
import { getAccountAuthorizationDetails, IAM_OPERATIONS } from './operations.js';
import { amzDate, isSdkOperation, startQuerySimulator, type QuerySimOptions, type QuerySimulator } from '../query-server.js';
import type { IamEstateOptions } from './types.js';
import { iamErrorBody } from './xml.js';

/** Options of {@link startIamSimulator}: the estate, where to listen, whom to accept, the faults. */
export interface IamSimulatorOptions extends QuerySimOptions {
  estate?: IamEstateOptions;
}

/** A running IAM simulator. */
export interface IamSimulator extends QuerySimulator {
  accountId: string;
  /** The estate it serves (with its known answers). */
  estate: IamEstate;
}

/** The API version IAM's awsQuery requests carry. */
export const IAM_API_VERSION = '2010-05-08';

const INVALID_TOKEN = 'The security token included in the request is invalid.';

/** How far from the server's clock a signature may be made. */
const SKEW_MS = 15 * 60_000;

/**
 * Start the IAM simulator on 127.0.0.1 (port 0 by default). Only `GetAccountAuthorizationDetails`
 * is served; IAM's other actions answer `NotImplemented` (501), and names IAM does not have
 * answer `InvalidAction` (400) as the real API does.
 */
export async function startIamSimulator(options: IamSimulatorOptions = {}): Promise<IamSimulator> {
  const estate = new IamEstate(options.estate);
  const sim = await startQuerySimulator(
    {
      signingName: 'iam',
      accountId: estate.accountId,
      errorBody: iamErrorBody,
      errors: {
        missingAuth: () => new SimError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403),
        unknownKey: () => new SimError('InvalidClientTokenId', INVALID_TOKEN, 403),
        // IAM words a clock skew as a signature mismatch, naming the window the request missed.
        expired: (signedAt, now) =>
          new SimError(
            'SignatureDoesNotMatch',
            signedAt < now
              ? `Signature expired: ${amzDate(signedAt)} is now earlier than ${amzDate(now - SKEW_MS)} (${amzDate(now)} - 15 min.)`
              : `Signature not yet current: ${amzDate(signedAt)} is still later than ${amzDate(now + SKEW_MS)} (${amzDate(now)} + 15 min.)`,
            403,
          ),
        badSignature: (message) => new SimError('SignatureDoesNotMatch', message, 403),
        denied: (action, principal) =>
          new SimError(
            'AccessDenied',
            `User: ${principal} is not authorized to perform: iam:${action} on resource: * because no identity-based policy allows the iam:${action} action`,
            403,
          ),
        throttled: () => new SimError('Throttling', 'Rate exceeded', 400),
      },
      async handle(action, params, { requestId }) {
        if (!action) throw new SimError('MissingAction', 'Missing Action', 400);
        const version = params.get('Version');
        if (version === IAM_API_VERSION) {
          if (action === 'GetAccountAuthorizationDetails') return getAccountAuthorizationDetails(estate, params, requestId);
          if (await isSdkOperation(() => import('@aws-sdk/client-iam'), action))
            throw new SimError('NotImplemented', `The IAM simulator serves ${IAM_OPERATIONS.join(', ')} only, not ${action}.`, 501);
        }
        throw new SimError('InvalidAction', `Could not find operation ${action} for version ${version ?? 'NO_VERSION_SPECIFIED'}`, 400);
      },
    },
    options,
  );
  return Object.assign(sim, { accountId: estate.accountId, estate });
}
