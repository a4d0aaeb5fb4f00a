// Polling helpers: every wait in the interop tests has a deadline, none sleeps and hopes.

/**
 * Polls `fn` until it returns a truthy value (which is returned) or the timeout passes.
 * `fn` may be async. On timeout, throws with `message` (a string or a function giving one,
 * so the error can show the state that was never reached).
 */
export async function waitFor(fn, { timeout = 10000, interval = 50, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await fn();
      if (value) {
        return value;
      }
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const text = typeof message === 'function' ? message() : message;
      const suffix = lastError ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${text}${suffix}`);
    }
    await delay(interval);
  }
}

/**
 * Rejects after `ms` with a named error unless `promise` settles first. `what` may be a
 * function, called at timeout, so the message shows the state at that moment.
 */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const text = typeof what === 'function' ? what() : what;
      reject(new Error(`timed out after ${ms} ms waiting for ${text}`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
