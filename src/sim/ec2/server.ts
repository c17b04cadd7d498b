/**
 * A local Amazon EC2 that the real `@aws-sdk/client-ec2` talks to: EC2's query protocol
 * (`Action=DescribeSubnets&Version=2016-11-15`, XML replies) over HTTP, SigV4 verified, serving
 * the network around the SageMaker simulator's resources (estate.ts), region by region.
 */
import { SimError } from '../errors.js';
import { isSdkOperation, startQuerySimulator, type QuerySimOptions, type QuerySimulator } from '../query-server.js';
import { Ec2Estate, type Ec2EstateOptions } from './estate.js';
import { EC2_OPERATIONS, handleEc2, servesEc2 } from './operations.js';
import { ec2ErrorBody } from './xml.js';

/** Options of {@link startEc2Simulator}: the network, where to listen, whom to accept, the faults. */
export interface Ec2SimulatorOptions extends QuerySimOptions, Ec2EstateOptions {}

/** A running EC2 simulator. */
export interface Ec2Simulator extends QuerySimulator {
  accountId: string;
  /** The network it serves, per region (with its known answers). */
  estate: Ec2Estate;
}

/** EC2's one answer to credentials it cannot verify: an unknown key or a signature that does not match. */
const AUTH_FAILURE = 'AWS was not able to validate the provided access credentials';

/** The API version EC2's query requests carry. */
export const EC2_API_VERSION = '2016-11-15';

/**
 * Start the EC2 simulator on 127.0.0.1 (port 0 by default). The region is the SigV4 scope's.
 * EC2's other actions answer `NotImplemented` (501); names EC2 does not have, `InvalidAction`.
 */
export async function startEc2Simulator(options: Ec2SimulatorOptions = {}): Promise<Ec2Simulator> {
  const estate = new Ec2Estate(options);
  const sim = await startQuerySimulator(
    {
      signingName: 'ec2',
      accountId: estate.accountId,
      errorBody: ec2ErrorBody,
      errors: {
        missingAuth: () => new SimError('MissingAuthenticationToken', 'Request is missing Authentication Token', 401),
        unknownKey: () => new SimError('AuthFailure', AUTH_FAILURE, 401),
        // EC2 answers a clock skew with RequestExpired, and any signature it cannot verify with AuthFailure.
        expired: () => new SimError('RequestExpired', 'Request has expired.', 400),
        badSignature: () => new SimError('AuthFailure', AUTH_FAILURE, 401),
        denied: (action, principal) =>
          new SimError(
            'UnauthorizedOperation',
            `You are not authorized to perform this operation. User: ${principal} is not authorized to perform: ec2:${action} because no identity-based policy allows the ec2:${action} action`,
            403,
          ),
        throttled: () => new SimError('RequestLimitExceeded', 'Request limit exceeded.', 503),
      },
      async handle(action, params, { region, requestId }) {
        if (!params.get('Version')) throw new SimError('MissingParameter', 'The request must contain the parameter Version', 400);
        if (servesEc2(action)) {
          if (params.get('DryRun') === 'true')
            throw new SimError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
          return handleEc2(action, estate.region(region), params, requestId);
        }
        if (await isSdkOperation(() => import('@aws-sdk/client-ec2'), action))
          throw new SimError('NotImplemented', `The EC2 simulator serves ${EC2_OPERATIONS.join(', ')} only, not ${action}.`, 501);
        throw new SimError('InvalidAction', `The action ${action} is not valid for this web service.`, 400);
      },
    },
    options,
  );
  return Object.assign(sim, { accountId: estate.accountId, estate });
}
