#!/usr/bin/env node
// rusm-host <module.ts|.js|.mjs> --name <service> [--node host:port] [--tls-ca ca.pem [--tls-cert c.pem --tls-key k.pem]]
import * as fs from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { host } from "./host";

function usage(message?: string): never {
  if (message) console.error("rusm-host: " + message);
  console.error("usage: rusm-host <module.ts|.js|.mjs> --name <service> [--node 127.0.0.1:7701] [--tls-ca ca.pem [--tls-cert cert.pem --tls-key key.pem]]");
  process.exit(2);
}

function parse(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const v = argv[i + 1];
      if (v === undefined) usage(a + " needs a value");
      out[a.substring(2)] = v;
      i++;
    } else if (out.file === undefined) {
      out.file = a;
    } else {
      usage("unexpected argument " + a);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (!args.file) usage("no module given");
  if (!args.name) usage("--name is required");
  const read = (f?: string) => (f ? fs.readFileSync(f) : null);
  const credentials = args["tls-ca"]
    ? grpc.credentials.createSsl(read(args["tls-ca"]), read(args["tls-key"]), read(args["tls-cert"]))
    : undefined;
  const h = await host({ file: args.file, name: args.name, node: args.node ?? "127.0.0.1:7701", credentials });
  console.log("rusm-host: attached " + args.name + " (" + args.file + ") to node " + h.nodeName + " at " + (args.node ?? "127.0.0.1:7701"));
  const why = await h.closed;
  console.error("rusm-host: detached: " + why);
  process.exit(1);
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
