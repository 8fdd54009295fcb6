// The output's SHA-256, computed beside the thread that writes it. Hashing
// 80 MB costs ~45 ms of one core; on the writing thread it sits on every run's
// critical path, here it overlaps the next block's read and write.
// Messages arrive in the order blocks were written, which is the hash's order.
import { createHash, type Hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { HashReply, HashRequest } from '../main/run/hashProtocol';

const hashes = new Map<string, Hash>();
let backlog: Int32Array | undefined;

parentPort?.on('message', (request: HashRequest) => {
  switch (request.op) {
    case 'backlog':
      backlog = new Int32Array(request.counter);
      return;
    case 'update': {
      let hash = hashes.get(request.session);
      if (!hash) hashes.set(request.session, (hash = createHash('sha256')));
      hash.update(new Uint8Array(request.buffer, request.byteOffset, request.byteLength));
      if (request.giveBack !== undefined) {
        const reply: HashReply = { returned: request.giveBack, buffer: request.buffer };
        parentPort?.postMessage(reply, [request.buffer]);
      }
      if (backlog) {
        Atomics.sub(backlog, 0, request.byteLength);
        Atomics.notify(backlog, 0);
      }
      return;
    }
    case 'digest': {
      const hash = hashes.get(request.session) ?? createHash('sha256');
      hashes.delete(request.session);
      const reply: HashReply = { session: request.session, digest: hash.digest('hex') };
      parentPort?.postMessage(reply);
      return;
    }
    case 'drop':
      hashes.delete(request.session);
  }
});
