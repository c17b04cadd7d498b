/**
 * Child of the benchmarks: a simulator in its own process, so its CPU does not compete with the
 * crawler's event loop. Options come as JSON in argv[2]; prints the URL, then runs until stdin closes.
 */
import { startSimulator, type SimulatorOptions } from '../src/sim/index.js';

const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions;
const sim = await startSimulator(options);
process.stdout.write(`${sim.url}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void sim.close().then(() => process.exit(0));
});
