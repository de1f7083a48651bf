'use strict';
// Build-time stand-in for `follow-redirects`: axios imports it (and, through it, `debug`,
// `supports-color`, `tty` and `os`) at start-up, but uses it only when redirects are followed.
// jdssc's REST client sets maxRedirects: 0 (an appliance never redirects; a redirect would send
// the credentials elsewhere), so axios takes plain node:https. Any other use fails loudly.
function unused() {
  throw new Error('following HTTP redirects is not used by jdssc');
}
const transport = { request: unused, get: unused };
module.exports = { http: transport, https: transport, wrap: unused };
module.exports.default = module.exports;
