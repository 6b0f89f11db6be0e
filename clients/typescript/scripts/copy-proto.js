// The wire's contract lives once, in rusm-wire; the package ships a copy so it works outside the repo.
const fs = require("node:fs");
const path = require("node:path");
const source = path.join(__dirname, "../../../rusm-wire/src/main/proto/rusm/v1/rusm.proto");
const target = path.join(__dirname, "../proto/rusm/v1/rusm.proto");
if (fs.existsSync(source)) {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(source, target);
} else if (!fs.existsSync(target)) {
  console.error("copy-proto: neither " + source + " nor " + target + " exists");
  process.exit(1);
}
