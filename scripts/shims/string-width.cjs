'use strict';
// Build-time stand-in for `string-width` (used by yargs' help layout through cliui and
// wrap-ansi). The real module builds an Intl.Segmenter (ICU data) when it is imported, which
// costs every jdssc start several milliseconds even when no help is printed. jdssc's help is
// ASCII, so plain text is measured directly; anything else goes to the real module, loaded on
// first use.
const SGR = /\u001B\[[0-9;]*m/g;
let real;

module.exports = function stringWidth(text, options) {
  if (typeof text !== 'string' || text.length === 0) return 0;
  const plain = text.replace(SGR, '');
  if (/^[\x20-\x7e]*$/.test(plain)) return plain.length;
  real = real || require('string-width').default;
  return real(text, options);
};
module.exports.default = module.exports;
