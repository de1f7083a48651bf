'use strict';
// Build-time stand-in for `form-data`: axios imports it (and, through it, the 200 KB mime-db
// table) at start-up for multipart uploads, which the JovianDSS REST API never uses. Anything
// that tries to build a multipart body with it fails loudly instead of sending a wrong request.
module.exports = class FormData {
  constructor() {
    throw new Error('multipart form data is not supported by jdssc');
  }
};
