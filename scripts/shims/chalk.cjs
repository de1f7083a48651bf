'use strict';
// Build-time stand-in for `chalk`: the real module builds all its styles when it is imported,
// which cost every jdssc start a few milliseconds although output is coloured only on a
// terminal. Without colour (level 0: a pipe, the Proxmox plugin, --json) chalk returns its text
// unchanged, which this does directly; with colour the real chalk (dist/vendor-chalk.cjs) is
// loaded on first use. jdssc calls only style functions (bold), never `visible`.
function plain(...texts) {
  return texts.join(' ');
}
const uncoloured = new Proxy(plain, {
  get: (target, key) => (key === 'level' ? 0 : typeof key === 'string' ? uncoloured : target[key]),
});

class Chalk {
  constructor(options = {}) {
    if (!options.level) return uncoloured;
    const { Chalk: Real } = require('chalk');
    return new Real(options);
  }
}
module.exports = { Chalk, default: new Chalk({ level: 0 }) };
