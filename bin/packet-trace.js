#!/usr/bin/env node
'use strict';
// The CLI is bundled by esbuild (npm ci runs it through the "prepare" script).
require('../dist/cli.js');
