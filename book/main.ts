import { mount } from 'svelte';
import '../ui/base.css';
import './book.css';
import App from './App.svelte';

mount(App, { target: document.getElementById('app')! });
