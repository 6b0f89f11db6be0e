import { after, before, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import {
  BadRequestError, CallTimeoutError, connect, DeclaredError, FencedError, MailboxFullError, NoProcessError,
  ProcessCrashedError, RusmNode,
} from "../src";
import { CounterHandlers, eventually, startJavaNode } from "./helpers";

/** The Java counter's handlers, as a TS interface. */
interface Counter extends CounterHandlers {
  hold(millis: number): number;
  describe(name: string, values: number[]): { name: string; sum: number };
}

class InsufficientFunds extends Error {}

describe("calling Java services from TypeScript", () => {
  let java: Awaited<ReturnType<typeof startJavaNode>>;
  let node: RusmNode;
  let counter: ReturnType<RusmNode["client"]> & any;

  before(async () => {
    java = await startJavaNode();
    node = await connect(java.target);
    counter = node.client<Counter>("counter");
  });
  after(async () => {
    node?.close();
    await java?.kill();
  });

  it("typed calls return the handler's value", async () => {
    await counter.reset();
    assert.equal(await counter.bump(2), 2);
    assert.equal(await counter.bump(3), 5);
    assert.deepEqual(await counter.describe("x", [1, 2, 3]), { name: "x", sum: 6 });
  });

  it("a declared exception arrives by name and the state is kept", async () => {
    await counter.reset();
    await counter.bump(1);
    const e = await counter.withdraw(5).catch((x: unknown) => x);
    assert.ok(e instanceof DeclaredError, String(e));
    assert.equal(e.name, "InsufficientFunds");
    assert.equal(e.type, "io.rusm.wire.testapp.InsufficientFunds");
    assert.equal(await counter.total(), 1);
    const typed = node.client<Counter>("counter", { errors: { InsufficientFunds } });
    await assert.rejects(typed.withdraw(5), InsufficientFunds);
  });

  it("a crash is ProcessCrashedError with the reason, and the service comes back fresh", async () => {
    await counter.bump(7);
    const before = await node.whereis("counter");
    const e = await counter.crash("boom").catch((x: unknown) => x);
    assert.ok(e instanceof ProcessCrashedError, String(e));
    assert.equal(e.reason.label, "crashed");
    assert.equal(e.reason.errorType, "java.lang.IllegalStateException");
    assert.equal(e.reason.message, "boom");
    const total = await eventually(async () => counter.total().catch((x: unknown) => (x instanceof NoProcessError ? undefined : Promise.reject(x))), 5000, "restart");
    assert.equal(total, 0);
    const after = await node.whereis("counter");
    assert.ok(after && before && after.incarnation > before.incarnation);
  });

  it("an unknown service is NoProcessError", async () => {
    await assert.rejects(node.client<Counter>("nobody").bump(1), NoProcessError);
  });

  it("no reply within the timeout is CallTimeoutError", async () => {
    await assert.rejects(node.call("counter", "hold", [1000], { timeoutMs: 100 }), CallTimeoutError);
  });

  it("a full mailbox is MailboxFullError", async () => {
    const tiny = node.client<Counter>("tiny");
    const outcomes = await Promise.allSettled([tiny.hold(300), tiny.hold(300), tiny.hold(300), tiny.hold(300)]);
    assert.ok(outcomes.some((o) => o.status === "rejected" && o.reason instanceof MailboxFullError), JSON.stringify(outcomes));
  });

  it("the fenced row is FencedError", async () => {
    await assert.rejects(node.call("counter", "fenced"), FencedError);
  });

  it("bad requests are BadRequestError and never reach the service", async () => {
    await counter.reset();
    await counter.bump(3);
    await assert.rejects(node.call("counter", "bump", ["lots"]), BadRequestError);
    await assert.rejects(node.call("counter", "bump", [1, 2]), BadRequestError);
    await assert.rejects(node.call("counter", "explode"), (e: BadRequestError) => e.kind === "NO_HANDLER");
    await assert.rejects(node.call("counter", "length", ["x".repeat(5 * 1024 * 1024)]), (e: BadRequestError) => e.kind === "TOO_LARGE");
    assert.equal(await counter.total(), 3);
  });

  it("send is a cast: fire-and-forget, in order with later calls", async () => {
    await counter.reset();
    assert.equal(await node.send("counter", "bump", 4), true);
    assert.equal(await counter.total(), 4);
    assert.equal(await node.send("nobody", "bump", 4), false);
  });

  it("whereis names the current incarnation", async () => {
    const pid = await node.whereis("counter");
    assert.equal(pid?.node, "java");
    assert.equal(pid?.name, "counter");
    assert.equal(await node.whereis("nobody"), undefined);
  });

  it("monitor yields a Down with the reason, as an async iterator and as a callback", async () => {
    const downs = node.monitor("counter");
    let ready!: () => void;
    const callbackReady = new Promise<void>((r) => (ready = r));
    const viaCallback = new Promise((resolve) => node.monitor("counter", resolve, () => ready()));
    const watched = await downs.ready;
    await callbackReady;
    assert.equal(watched?.name, "counter");
    await counter.crash("for the monitor").catch(() => undefined);
    const first = await downs.next();
    assert.equal(first.done, false);
    assert.equal(first.value.reason.label, "crashed");
    assert.equal(first.value.pid.name, "counter");
    assert.equal(((await viaCallback) as any).reason.label, "crashed");
    const none = await node.monitor("nobody").next();
    assert.equal(none.value.reason.label, "noproc");
  });
});
