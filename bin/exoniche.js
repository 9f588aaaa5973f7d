#!/usr/bin/env node
// The installed command runs the compiled library (built by `npm ci` through the prepare script).
import '../dist/cli/entry.js';
