'use strict';
// Build-time stand-in for `wrap-ansi` (yargs' help layout, through cliui): the real module and
// its own ansi-styles build every colour style when they are imported, which cost every jdssc
// start although help is rendered only for --help and usage errors. Loaded on first use.
let real;

module.exports = function wrapAnsi(text, columns, options) {
  real = real || require('wrap-ansi').default;
  return real(text, columns, options);
};
module.exports.default = module.exports;
