// Entry: mounts the app on the bridge the preload (or the e2e harness) exposed.
import { mount } from 'svelte';
import './styles/app.css';
import './styles/forms.css';
import App from './App.svelte';
import { createTesseraClient } from './lib/tessera-client.ts';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');

const bridge = window.tessera;
mount(App, { target, props: { client: bridge ? createTesseraClient(bridge) : null } });
