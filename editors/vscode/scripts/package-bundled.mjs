#!/usr/bin/env node
// Packages a platform-specific .vsix with the qlint binary inside (server/qlint, or
// server/qlint.exe on Windows), so users need nothing else installed.
//
//   QLINT_SERVER_PATH=/path/to/qlint npm run package:bundled [-- --target linux-x64]
//
// Without QLINT_SERVER_PATH the workspace's target/release build is used. The target defaults
// to this machine's platform and architecture, which must match the binary.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const targetIndex = args.indexOf("--target");
const target = targetIndex >= 0 ? args[targetIndex + 1] : `${process.platform}-${process.arch}`;
const windows = target.startsWith("win32");
const exe = windows ? "qlint.exe" : "qlint";
const source = process.env.QLINT_SERVER_PATH || resolve(root, "..", "..", "target", "release", exe);

if (!existsSync(source)) {
  console.error(`no qlint binary at ${source}: run \`cargo build --release\` or set QLINT_SERVER_PATH`);
  process.exit(1);
}

const serverDir = join(root, "server");
rmSync(serverDir, { recursive: true, force: true });
mkdirSync(serverDir);
copyFileSync(source, join(serverDir, exe));
if (!windows) chmodSync(join(serverDir, exe), 0o755);
console.log(`bundling ${source} as server/${exe} for ${target}`);

const vsce = join(dirname(createRequire(import.meta.url).resolve("@vscode/vsce/package.json")), "vsce");
const result = spawnSync(
  process.execPath,
  [vsce, "package", "--no-dependencies", "--allow-missing-repository", "--target", target],
  { cwd: root, stdio: "inherit" },
);
rmSync(serverDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
