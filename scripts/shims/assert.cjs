'use strict';
// Build-time stand-in for `assert` in the bundle: yargs needs only strictEqual/notStrictEqual,
// and node:assert pulls in its colour support, which creates process.stderr at start-up.
class AssertionError extends Error {}
function fail(message, fallback) {
  throw message instanceof Error ? message : new AssertionError(message || fallback);
}
module.exports = {
  AssertionError,
  strictEqual(a, b, message) {
    if (!Object.is(a, b)) fail(message, `expected ${String(a)} to equal ${String(b)}`);
  },
  notStrictEqual(a, b, message) {
    if (Object.is(a, b)) fail(message, `expected ${String(a)} not to equal ${String(b)}`);
  },
};
module.exports.default = module.exports;
