import { after, before, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BadRequestError, connect, DeclaredError, NoProcessError, ProcessCrashedError, RusmNode } from "../src";
import { CounterHandlers, eventually, startHost, startJavaNode, Started } from "./helpers";

interface Counter extends CounterHandlers {
  grow(megabytes: number): number;
  sleep(ms: number, marker?: string): number;
}

/** What the Java caller saw (the test app's Bridge calls tscounter through a Java @ServiceClient). */
interface Outcome { value?: number; error?: string; message?: string; reason?: string; cause?: string }
interface Bridge {
  bump(by: number): Outcome;
  total(): Outcome;
  withdraw(amount: number): Outcome;
  crash(why: string): Outcome;
  grow(megabytes: number): Outcome;
  sleep(ms: number, marker: string): Outcome;
}

describe("a service hosted in TypeScript (rusm-host) under a Java supervisor", () => {
  let java: Awaited<ReturnType<typeof startJavaNode>>;
  let node: RusmNode;
  let host: Started;
  let ts: any;
  let bridge: any;

  before(async () => {
    java = await startJavaNode();
    node = await connect(java.target, { callTimeoutMs: 8000 });
    ts = node.client<Counter>("tscounter");
    bridge = node.client<Bridge>("bridge");
  });
  after(async () => {
    node?.close();
    await host?.kill();
    await java?.kill();
  });

  it("with no host attached, calls fail at once with NoProcessError", async () => {
    const t0 = Date.now();
    await assert.rejects(ts.bump(1), NoProcessError);
    assert.equal((await bridge.bump(1)).error, "NoProcessException");
    assert.ok(Date.now() - t0 < 2000);
  });

  it("attached, it answers TypeScript and Java callers alike", async () => {
    host = await startHost("counter.ts", "tscounter", java.target);
    assert.equal(await ts.bump(2), 2);
    assert.deepEqual(await bridge.bump(3), { value: 5 });
    assert.equal(await ts.total(), 5);
    assert.equal((await node.whereis("tscounter"))?.name, "tscounter");
    assert.equal(await node.send("tscounter", "bump", 0), true); // a cast, acknowledged by the host in order
    assert.equal(await ts.total(), 5);
  });

  it("a name the module does not export is a BadRequestError, and the service keeps its state", async () => {
    await assert.rejects(node.call("tscounter", "nope"), (e: BadRequestError) => e instanceof BadRequestError && e.kind === "NO_HANDLER");
    assert.equal(await ts.total(), 5);
  });

  it("a plain .mjs module is hosted too", async () => {
    const plain = await startHost("plain.mjs", "plain", java.target);
    try {
      assert.equal(await node.call("plain", "hit"), 1);
      assert.equal(await node.call("plain", "hit"), 2);
    } finally {
      await plain.kill();
    }
  });

  it("an exported Error class is a declared error: the caller gets it by name, the state is kept", async () => {
    const e = await ts.withdraw(1000).catch((x: unknown) => x);
    assert.ok(e instanceof DeclaredError, String(e));
    assert.equal(e.name, "InsufficientFunds");
    const j = await bridge.withdraw(1000);
    assert.equal(j.error, "InsufficientFunds"); // rebuilt as the Java client's declared exception
    assert.equal(await ts.total(), 5);
  });

  it("a thrown error is a crash: ProcessCrashedException in Java, restart with fresh module state", async () => {
    const before = (await node.whereis("tscounter"))!;
    const downs = node.monitor("tscounter");
    assert.deepEqual(await downs.ready, before);
    const j = await bridge.crash("boom");
    const down = await downs.next();
    assert.equal(down.value.reason.label, "crashed");
    assert.equal(down.value.reason.message, "boom");
    assert.equal(j.error, "ProcessCrashedException");
    assert.equal(j.reason, "crashed");
    assert.match(j.cause, /Error: boom/);
    const total = await eventually(async () => ts.total().catch((x: unknown) => (x instanceof NoProcessError ? undefined : Promise.reject(x))), 5000, "restart");
    assert.equal(total, 0);
    const after = (await node.whereis("tscounter"))!;
    assert.ok(after.incarnation > before.incarnation);
    const e = await ts.crash("from ts").catch((x: unknown) => x);
    assert.ok(e instanceof ProcessCrashedError);
    assert.equal(e.reason.message, "from ts");
  });

  it("over max-memory-mb the worker's heap limit trips: exit reason memoryLimit, then a fresh start", async () => {
    await eventually(async () => ts.total().catch((x: unknown) => (x instanceof NoProcessError ? undefined : Promise.reject(x))), 5000, "restart");
    const j = await bridge.grow(400);
    assert.equal(j.error, "ProcessCrashedException", JSON.stringify(j));
    assert.equal(j.reason, "memoryLimit");
    const total = await eventually(async () => ts.total().catch((x: unknown) => (x instanceof NoProcessError ? undefined : Promise.reject(x))), 5000, "restart");
    assert.equal(total, 0);
  });

  it("kill -9 of the host fails the Java caller in flight at once", async () => {
    await eventually(async () => ts.total().catch((x: unknown) => (x instanceof NoProcessError ? undefined : Promise.reject(x))), 5000, "restart");
    const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rusm-test-")), "in-flight");
    const javaCaller: Promise<Outcome> = bridge.sleep(4500, marker);
    await eventually(async () => (fs.existsSync(marker) ? true : undefined), 5000, "the call reaching the host");
    const t0 = Date.now();
    await host.kill("SIGKILL");
    const j = await javaCaller;
    const waited = Date.now() - t0;
    assert.equal(j.error, "ProcessCrashedException", JSON.stringify(j));
    assert.match(j.cause ?? "", /HostDisconnectedException/);
    assert.ok(waited < 2000, "the Java caller failed " + waited + " ms after the kill");
    // and with the host gone, calls fail at once
    await eventually(async () => ts.total().catch((x: unknown) => (x instanceof NoProcessError ? true : undefined)), 5000, "noproc");
  });
});
