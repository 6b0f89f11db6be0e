// One incarnation of a hosted service: loads the module fresh (fresh module state) and runs its
// exported functions, one message at a time, as the Java fiber sends them.
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";

import * as fs from "node:fs";
import type { PreparedModule } from "./compile";

async function load(): Promise<Record<string, unknown>> {
  const { modulePath, esm, compiled } = workerData as PreparedModule;
  // A real import() (tsc would turn a literal one into require() in this CommonJS build).
  const importEsm = new Function("url", "return import(url)") as (url: string) => Promise<Record<string, unknown>>;
  if (esm) return await importEsm(pathToFileURL(modulePath).href);
  if (compiled !== undefined) {
    // The entry file was compiled by the host at start; other .ts files it imports compile on load.
    const exts = (require as unknown as { extensions: Record<string, (m: any, f: string) => void> }).extensions;
    const compileTs = (m: any, filename: string) => {
      if (filename === modulePath) return m._compile(compiled, filename);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { transpileModule } = require("typescript") as typeof import("typescript");
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { COMPILER_OPTIONS } = require("./compile") as typeof import("./compile");
      return m._compile(transpileModule(fs.readFileSync(filename, "utf8"), { fileName: filename, compilerOptions: COMPILER_OPTIONS }).outputText, filename);
    };
    for (const ext of [".ts", ".cts", ".mts"]) exts[ext] = compileTs;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(modulePath) as Record<string, unknown>;
}

function isErrorClass(v: unknown): v is new (...a: unknown[]) => Error {
  return typeof v === "function" && v.prototype instanceof Error;
}

async function main(): Promise<void> {
  const port = parentPort!;
  let mod: Record<string, unknown>;
  try {
    mod = await load();
  } catch (e) {
    port.postMessage({ type: "crash", errorType: (e as Error)?.name ?? "Error", message: String((e as Error)?.message ?? e) });
    return;
  }
  // Declared errors: the Error classes the module exports. Anything else thrown is a crash.
  const declared = Object.values(mod).filter(isErrorClass);
  port.on("message", async (m: { id: number; method: string; argsJson: string }) => {
    const fn = mod[m.method];
    if (typeof fn !== "function" || isErrorClass(fn)) {
      const handlers = Object.keys(mod).filter((k) => typeof mod[k] === "function" && !isErrorClass(mod[k]));
      port.postMessage({ type: "noHandler", id: m.id, message: "no exported function '" + m.method + "'; handlers: " + handlers.join(", ") });
      return;
    }
    let args: unknown[];
    try {
      args = JSON.parse(m.argsJson || "[]");
      if (!Array.isArray(args)) throw new Error("not an array");
    } catch (e) {
      port.postMessage({ type: "badRequest", id: m.id, message: "arguments are not a JSON array: " + (e as Error).message });
      return;
    }
    try {
      const result = await (fn as (...a: unknown[]) => unknown)(...args);
      port.postMessage({ type: "result", id: m.id, json: JSON.stringify(result === undefined ? null : result) });
    } catch (e) {
      const err = e as Error;
      if (declared.some((c) => err instanceof c)) {
        const { name: _n, message: _m, stack: _s, ...fields } = err as Error & Record<string, unknown>;
        port.postMessage({ type: "error", id: m.id, errorType: err.constructor.name, message: err.message, json: JSON.stringify(fields) });
      } else {
        port.postMessage({ type: "crash", id: m.id, errorType: err?.name ?? typeof e, message: String(err?.message ?? e) });
      }
    }
  });
  port.postMessage({ type: "ready" });
}

void main();
