/** Renderer entry: connects to the API (Electron preload or web-mode WebSocket) and renders. */
import { render } from 'preact';
import { connectApi } from './api-client.js';
import { App, type Screen } from './app.js';
import './styles.css';

const params = new URLSearchParams(location.search);
const screen = params.get('screen');
const resultMs = Number(params.get('resultMs'));

render(
  <App
    handle={connectApi()}
    options={{
      resultMs: Number.isFinite(resultMs) && resultMs >= 500 && resultMs <= 60_000 ? resultMs : 4000,
      initialScreen: screen === 'booth' || screen === 'tech' ? (screen as Screen) : 'kiosk',
      initialLang: params.get('lang') === 'en' ? 'en' : 'vi',
    }}
  />,
  document.getElementById('app')!,
);
