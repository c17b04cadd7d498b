/**
 * Child of bench/crawl.ts's enrichment part: the IAM and EC2 simulators in a process of their own
 * (IAM renders a thousand entities a page), so their CPU does not compete with the crawl's event
 * loop. Options come as JSON in argv[2] (`{ iam, ec2 }`); prints one JSON line — both URLs and the
 * IAM estate's section sizes — then runs until stdin closes.
 */
import { startEc2Simulator, type Ec2SimulatorOptions } from '../src/sim/ec2/index.js';
import { IAM_SECTIONS, startIamSimulator, type IamSimulatorOptions } from '../src/sim/iam/index.js';

const options = JSON.parse(process.argv[2] ?? '{}') as { iam: IamSimulatorOptions; ec2: Ec2SimulatorOptions };
const t0 = performance.now();
const iam = await startIamSimulator(options.iam);
const iamSetupSeconds = (performance.now() - t0) / 1000;
const ec2 = await startEc2Simulator(options.ec2);
const sizes = Object.fromEntries(IAM_SECTIONS.map((s) => [s, iam.estate.size(s)]));
const coreSizes = Object.fromEntries(IAM_SECTIONS.map((s) => [s, iam.estate.coreSize(s)]));
process.stdout.write(`${JSON.stringify({ iam: iam.url, ec2: ec2.url, sizes, coreSizes, iamSetupSeconds })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void Promise.all([iam.close(), ec2.close()]).then(() => process.exit(0));
});
