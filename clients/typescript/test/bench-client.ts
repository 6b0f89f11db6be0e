// Node.js -> Java service round trips for rusm-wire's WireBench: prints rows in its table format.
import { connect } from "../src";

async function run(): Promise<void> {
  const [target, n] = [process.argv[2], Number(process.argv[3] ?? 2000)];
  const node = await connect(target);
  const counter = node.client<{ bump(by: number): number }>("counter");
  for (let i = 0; i < Math.min(500, n); i++) await counter.bump(1); // warm-up
  for (const callers of [1, 64]) {
    const per = callers === 1 ? n : Math.max(20, Math.floor(n / 16));
    const samples: number[] = [];
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: callers }, async () => {
      for (let i = 0; i < per; i++) {
        const s = process.hrtime.bigint();
        await counter.bump(1);
        samples.push(Number(process.hrtime.bigint() - s) / 1e3);
      }
    }));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    samples.sort((a, b) => a - b);
    const row = (s: string, w: number) => s.padStart(w);
    console.log("Node.js -> Java service (wire)".padEnd(34) + " " + row(String(callers), 8) + " " + row(samples[samples.length >> 1].toFixed(0), 10)
      + " " + row(samples[Math.floor(samples.length * 0.99)].toFixed(0), 10) + " " + row((samples.length / seconds).toFixed(0), 12));
  }
  node.close();
}

run().catch((e) => { console.error(e); process.exit(1); });
