// What a Node.js runtime says of itself: version, the versions of its parts
// (V8, libuv, OpenSSL…), its build configuration (process.config), and the shared
// objects its process mapped (to prove which libc and loader it ran on). Printed
// as one JSON object.
"use strict";
const fs = require("node:fs");
const objects = new Set();
for (const line of fs.readFileSync("/proc/self/maps", "utf8").split("\n")) {
  const path = line.split(/\s+/).slice(5).join(" ");
  if (path.startsWith("/")) objects.add(path);
}
console.log(JSON.stringify({
  version: process.version.replace(/^v/, ""),
  build: { versions: process.versions, config: process.config },
  executable: process.execPath,
  objects: [...objects].sort(),
}));
