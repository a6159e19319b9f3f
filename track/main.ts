import { mount } from 'svelte';
import '../ui/base.css';
import './track.css';
import App from './App.svelte';

mount(App, { target: document.getElementById('app')! });

// The shell and the last view open without a network (sw.ts); the page works without it too.
if ('serviceWorker' in navigator) {
  addEventListener('load', () => {
    navigator.serviceWorker.register('/t/sw.js', { scope: '/t/' }).catch(() => undefined);
  });
}
