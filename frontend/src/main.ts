import './styles.css';
import { App } from './app';
import { initLang } from './i18n';

document.documentElement.lang = initLang(localStorage);
const root = document.getElementById('app');
if (root) void new App(root).route();
