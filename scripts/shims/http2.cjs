'use strict';
// Build-time stand-in for `http2`: axios imports it for its optional HTTP/2 transport; jdssc
// talks HTTP/1.1 (keep-alive) to the appliance, and loading http2 costs every start.
function unused() {
  throw new Error('HTTP/2 is not used by jdssc');
}
module.exports = {
  connect: unused,
  constants: {},
  get default() {
    return module.exports;
  },
};
