import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { registerServiceWorker } from './browser/offline';
import { App } from './ui/App';
import { Controller } from './ui/controller';
import './ui/styles.css';

const controller = new Controller();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App controller={controller} />
  </StrictMode>,
);
void controller.start();
registerServiceWorker((text) => controller.store.notify('info', text));
