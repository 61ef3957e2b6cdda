/**
 * Boots the example: JIT (the compiler is loaded first), zoneless change detection, no NgModule.
 * `window.rxkubeExample.destroy()` destroys the application, for the e2e test's teardown check.
 */
import '@angular/compiler';
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { App } from './components.ts';

const app = await bootstrapApplication(App, { providers: [provideZonelessChangeDetection()] });
(window as unknown as { rxkubeExample: { destroy(): void } }).rxkubeExample = { destroy: () => app.destroy() };
document.body.dataset['ready'] = 'true';
