/**
 * Boots the worker mode (worker.html) like main.ts boots the in-page example: JIT, zoneless, no
 * NgModule. `window.rxkubeExample.destroy()` destroys the application (the e2e teardown check).
 */
import '@angular/compiler';
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { WorkerApp } from './worker-components.ts';

const app = await bootstrapApplication(WorkerApp, { providers: [provideZonelessChangeDetection()] });
(window as unknown as { rxkubeExample: { destroy(): void } }).rxkubeExample = { destroy: () => app.destroy() };
document.body.dataset['ready'] = 'true';
