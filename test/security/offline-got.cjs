// Stands in for `got` inside electronegativity: no internet here, so every request fails at once.
const offline = () => Promise.reject(new Error('offline: this machine has no internet'));
module.exports = Object.assign(offline, { head: offline, get: offline, default: offline });
