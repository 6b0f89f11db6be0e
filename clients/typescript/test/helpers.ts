import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The handlers both test counters have: the Java one (WireTestApp's Counter) and fixtures/counter.ts. */
export interface CounterHandlers {
  bump(by: number): number;
  total(): number;
  reset(): void;
  withdraw(amount: number): number;
  crash(why: string): void;
}

const ROOT = path.join(__dirname, "../..");
const REPO = path.join(ROOT, "../..");
const started = new Set<ChildProcess>();

// Whatever happens to the test, the JVMs and hosts it started die with it (by their pids).
process.on("exit", () => {
  for (const p of started) if (p.pid && p.exitCode === null) try { process.kill(p.pid, "SIGKILL"); } catch { /* gone */ }
});

/** Resolves with the first stdout line matching `re`, or rejects after `ms` (or when the process exits). */
function waitForLine(p: ChildProcess, re: RegExp, ms: number, what: string): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buf = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(what + " did not start within " + ms + " ms; stderr:\n" + err)), ms);
    p.stderr?.on("data", (d) => { err += d; });
    p.stdout?.on("data", (d) => {
      buf += d;
      const m = buf.match(re);
      if (m) { clearTimeout(timer); resolve(m); }
    });
    p.on("exit", (code) => { clearTimeout(timer); reject(new Error(what + " exited with " + code + " before it was ready; stderr:\n" + err)); });
  });
}

export interface Started { pid: number; process: ChildProcess; kill(signal?: NodeJS.Signals): Promise<void> }

function handle(p: ChildProcess): Started {
  return {
    pid: p.pid!,
    process: p,
    kill: (signal: NodeJS.Signals = "SIGKILL") => new Promise<void>((resolve) => {
      if (p.exitCode !== null || p.signalCode !== null) { started.delete(p); resolve(); return; }
      p.once("exit", () => { started.delete(p); resolve(); });
      process.kill(p.pid!, signal);
    }),
  };
}

/** The Java test node (rusm-wire's WireTestApp) as its own JVM; Maven writes its classpath. */
export async function startJavaNode(): Promise<Started & { port: number; target: string }> {
  const cpFile = process.env.RUSM_TEST_CLASSPATH ?? path.join(REPO, "rusm-wire/target/test-app.classpath");
  if (!fs.existsSync(cpFile)) throw new Error("no " + cpFile + ": build rusm-wire first (./dev mvn -pl rusm-wire -am package)");
  const classpath = fs.readFileSync(cpFile, "utf8").trim();
  const java = process.env.RUSM_JAVA ?? "java";
  const p = spawn(java, ["-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", classpath, "io.rusm.wire.testapp.WireTestApp", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  started.add(p);
  const m = await waitForLine(p, /RUSM_WIRE_PORT=(\d+)/, 60_000, "the Java node");
  const port = Number(m[1]);
  return { ...handle(p), port, target: "127.0.0.1:" + port };
}

/** `rusm-host <file> --name <name> --node <target>`, from the built package. */
export async function startHost(file: string, name: string, target: string): Promise<Started> {
  const cli = path.join(ROOT, "dist/src/host/cli.js");
  const p = spawn(process.execPath, [cli, path.join(ROOT, "test/fixtures", file), "--name", name, "--node", target], { stdio: ["ignore", "pipe", "pipe"] });
  started.add(p);
  await waitForLine(p, /attached/, 30_000, "rusm-host " + file);
  return handle(p);
}

/** Polls `check` until it returns a value (not undefined) or `ms` passes: a bounded wait, never a sleep. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(what + " not within " + ms + " ms" + (last ? ": " + String(last) : ""));
    await new Promise((r) => setTimeout(r, 20));
  }
}
