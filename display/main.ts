import { mount } from 'svelte';
import '../ui/base.css';
import './display.css';
import App from './App.svelte';

mount(App, { target: document.getElementById('app')! });
