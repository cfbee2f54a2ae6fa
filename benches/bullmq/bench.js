// BullMQ's side of aplay's task-queue benchmark (`cargo aplay-bench -- --only queue`, see
// docs/performance.md). The Rust bench runs it with node against its private redis-server:
//
//   node bench.js --port P --jobs N --concurrency C --queue NAME [--enqueue bulk|add]
//
// 1. connects a Queue and a Worker (not running yet: `autorun: false`) with BullMQ's defaults
//    (completed jobs and their hashes are kept, as aplay keeps a job's record), prints
//    `{"phase":"ready"}` and waits for a line on stdin;
// 2. adds N no-op jobs, timed: `queue.addBulk` in chunks of BULK (the default), or `queue.add`
//    one job per call with IN_FLIGHT calls at a time (`--enqueue add`);
// 3. prints `{"phase":"enqueued",...}` and waits for a line on stdin (between the phases,
//    the bench reads the server's statistics);
// 4. runs the Worker (concurrency C, a no-op processor) until N jobs completed, timed, and
//    prints `{"phase":"processed",...}` with both rates (jobs per second).
//
// Errors go to stderr and end the process with status 1.

'use strict';

const { Queue, Worker } = require('bullmq');
const readline = require('node:readline');

const BULK = 1000;
const IN_FLIGHT = 256;

function options(argv) {
  const o = { host: '127.0.0.1', port: 6379, jobs: 1000, concurrency: 1, queue: 'bench', enqueue: 'bulk' };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${name} needs a value`);
    switch (name) {
      case '--host': o.host = value; break;
      case '--port': o.port = Number(value); break;
      case '--jobs': o.jobs = Number(value); break;
      case '--concurrency': o.concurrency = Number(value); break;
      case '--queue': o.queue = value; break;
      case '--enqueue':
        if (value !== 'bulk' && value !== 'add') throw new Error(`--enqueue: bulk or add, not ${value}`);
        o.enqueue = value;
        break;
      default: throw new Error(`unknown option ${name}`);
    }
  }
  return o;
}

function line(object) {
  process.stdout.write(JSON.stringify(object) + '\n');
}

async function enqueue(queue, o) {
  if (o.enqueue === 'bulk') {
    for (let start = 0; start < o.jobs; start += BULK) {
      const chunk = [];
      for (let n = start; n < Math.min(start + BULK, o.jobs); n++) chunk.push({ name: 'noop', data: { n } });
      await queue.addBulk(chunk);
    }
    return;
  }
  let next = 0;
  async function adder() {
    while (next < o.jobs) {
      const n = next++;
      await queue.add('noop', { n });
    }
  }
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, o.jobs) }, adder));
}

async function main() {
  const o = options(process.argv.slice(2));
  const connection = { host: o.host, port: o.port, maxRetriesPerRequest: null };
  const queue = new Queue(o.queue, { connection });
  let completed = 0;
  let done;
  const allDone = new Promise((resolve) => { done = resolve; });
  const worker = new Worker(o.queue, async () => {}, { connection, concurrency: o.concurrency, autorun: false });
  worker.on('completed', () => {
    completed += 1;
    if (completed === o.jobs) done();
  });
  worker.on('failed', (job, error) => { throw new Error(`job ${job && job.id} failed: ${error}`); });
  worker.on('error', (error) => { console.error(`worker error: ${error}`); process.exit(1); });
  await queue.waitUntilReady();
  await worker.waitUntilReady();
  const input = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const go = async () => {
    if ((await input.next()).done) throw new Error('stdin closed: the bench is gone');
  };
  line({ phase: 'ready' });
  await go();

  let started = process.hrtime.bigint();
  await enqueue(queue, o);
  const enqueueSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const counts = await queue.getJobCounts('wait');
  if (counts.wait !== o.jobs) throw new Error(`${counts.wait} jobs waiting, not ${o.jobs}`);
  line({ phase: 'enqueued', jobs: o.jobs, enqueue_rate: o.jobs / enqueueSeconds });

  await go();

  started = process.hrtime.bigint();
  const running = worker.run();
  await allDone;
  const processSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  line({
    phase: 'processed',
    bullmq: require('bullmq/package.json').version,
    node: process.versions.node,
    jobs: o.jobs,
    concurrency: o.concurrency,
    enqueue: o.enqueue,
    enqueue_rate: o.jobs / enqueueSeconds,
    process_rate: o.jobs / processSeconds,
  });
  await worker.close();
  await running;
  await queue.close();
  process.exit(0);
}

main().catch((error) => {
  console.error(`bullmq bench: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
