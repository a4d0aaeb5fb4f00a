// A small HTTP/1.1 client on node:http for the werift cross-check's REST and Janus calls.
// Not fetch(): under SCHED_FIFO on one core, Node 20's fetch in this process never opened
// its connection and the process exited with status 13 (scripts/bench keeps werift off
// SCHED_FIFO anyway, see there); node:http has no such trouble.
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true });

/** Resolves {status, text}; rejects on a network error or after `timeoutMs`. */
export function request(method, url, { body, headers = {}, timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body ? { 'content-length': Buffer.byteLength(body), ...headers } : headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
