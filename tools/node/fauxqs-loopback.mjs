// Starts fauxqs (an SQS/S3 emulator speaking the AWS JSON protocol) for the tests, on 127.0.0.1 only.
// fauxqs 1.9.2 listens on 0.0.0.0 whatever its `host` option says (that option only names the queue URLs), so every
// net.Server.listen of this process is pinned to the loopback address before fauxqs is loaded.
// Usage: node fauxqs-loopback.mjs [port]   (0 or none: a free port). Prints "fauxqs listening on http://127.0.0.1:PORT".
import net from "node:net";

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (args[0] !== null && typeof args[0] === "object") args[0] = { ...args[0], host: "127.0.0.1" };
  else if (typeof args[0] === "number" || (typeof args[0] === "string" && /^\d+$/.test(args[0]))) {
    if (typeof args[1] === "string") args[1] = "127.0.0.1";
    else args.splice(1, 0, "127.0.0.1");
  }
  return listen.apply(this, args);
};

const { startFauxqs } = await import("fauxqs");
const server = await startFauxqs({ port: Number(process.argv[2] ?? 0), host: "127.0.0.1", logger: false });
console.log(`fauxqs listening on http://127.0.0.1:${server.port}`);
const stop = async () => { await server.stop(); process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
