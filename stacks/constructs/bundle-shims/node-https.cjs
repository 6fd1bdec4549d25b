// Bundle stand-in for `node:https` (BUNDLE_ALIASES), for the same reason as node-http.cjs: the
// builtin's exports without the ESM namespace Node would build for it at import.
module.exports = process.getBuiltinModule('node:https');
