import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
