/** Entry of the preload bundle (see preload.ts): runs in the sandboxed renderer. */
import * as electron from 'electron';
import { exposeKioskApi } from './preload.js';

exposeKioskApi(electron);
