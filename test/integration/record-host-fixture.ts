// Run as its own process by record-crash.test.ts: a headless host with the demo
// bench in the user data folder given as argv[2]. Prints its port and token as
// one JSON line, then runs until it is killed.
import { startHost } from '../../app/host/server';

const host = await startHost({ port: 0, userDataDir: process.argv[2]!, statusMs: 200 });
process.stdout.write(`${JSON.stringify({ port: host.port, token: host.token })}\n`);
