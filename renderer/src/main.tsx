/** Renderer entry: connects to the API (Electron preload or web-mode WebSocket) and renders. */
import { render } from 'preact';
import { connectApi } from './api-client.js';
import { App } from './app.js';
import './styles.css';

// Only presentation options are read from the URL: no parameter or #fragment opens another screen.
const params = new URLSearchParams(location.search);
const resultMs = Number(params.get('resultMs'));

render(
  <App
    handle={connectApi()}
    options={{
      resultMs: Number.isFinite(resultMs) && resultMs >= 500 && resultMs <= 60_000 ? resultMs : 4000,
      initialLang: params.get('lang') === 'en' ? 'en' : 'vi',
    }}
  />,
  document.getElementById('app')!,
);
