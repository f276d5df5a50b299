import http from 'node:http';
import { readFile } from 'node:fs/promises';
