#!/usr/bin/env node
/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS entry point */
'use strict';

// The CLI is TypeScript run without a build step: tsx compiles it on load.
require('tsx/cjs');
require('../src/main.ts');
