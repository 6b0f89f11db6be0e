import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

export const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false,
};

export interface PreparedModule { modulePath: string; esm: boolean; compiled?: string }

/**
 * What a worker loads: a `.ts` file is compiled once here, at start, with `typescript` (type
 * errors are not checked, only syntax: the types are stripped) and run from its own path, so its
 * relative imports resolve as written; `.js`/`.cjs` are required as they are, `.mjs` imported.
 */
export function prepareModule(file: string): PreparedModule {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new Error("rusm-host: no such file: " + abs);
  if (abs.endsWith(".mjs")) return { modulePath: abs, esm: true };
  if (!/\.[cm]?ts$/.test(abs)) return { modulePath: abs, esm: false };
  const out = ts.transpileModule(fs.readFileSync(abs, "utf8"), { fileName: abs, reportDiagnostics: true, compilerOptions: COMPILER_OPTIONS });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new Error("rusm-host: " + abs + " does not compile:\n" + ts.formatDiagnostics(errors, {
      getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => "\n",
    }));
  }
  return { modulePath: abs, esm: false, compiled: out.outputText };
}
