// Bundle stand-in for `node:http` (BUNDLE_ALIASES): the builtin's own exports, reached without
// an ESM import. Node builds the ESM namespace of node:http by reading every export, and its
// lazy WebSocket / EventSource getters then load undici: ~35 ms of CPU in every cold import.
// process.getBuiltinModule is not an import, so the alias does not rewrite it back here.
module.exports = process.getBuiltinModule('node:http');
