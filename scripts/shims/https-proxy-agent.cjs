'use strict';
// Build-time stand-in for `https-proxy-agent`: axios imports it (with agent-base and `debug`) at
// start-up for its proxy support; jdssc sets proxy: false (appliance traffic and its credentials
// never go through an environment proxy), so it is never constructed. Any use fails loudly.
class HttpsProxyAgent {
  constructor() {
    throw new Error('HTTP proxies are not used by jdssc');
  }
}
module.exports = HttpsProxyAgent;
module.exports.HttpsProxyAgent = HttpsProxyAgent;
module.exports.default = HttpsProxyAgent;
